import { spawn } from "node:child_process";
import { cleanEnv } from "./simulatorEnv.js";
import { CLI_PATH } from "./stdioServer.js";

export interface PtySession {
  /** Resolves once the screen output contains `text`. */
  waitFor(text: string | RegExp): Promise<void>;
  type(keys: string): void;
  output(): string;
  exit: Promise<number | null>;
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Runs the CLI on a real pseudo-terminal through util-linux `script`, so it sees a TTY and
 * prompts exactly as it would for a person. A Ctrl-C typed into it reaches the CLI alone:
 * `script` runs the command through `$SHELL -c`, and `exec` makes the CLI replace that shell,
 * which would otherwise (dash, where `SHELL` is unset) die of the interrupt itself.
 */
export function runCliOnPty(args: string[], env: Record<string, string>): PtySession {
  const command = `exec ${[process.execPath, CLI_PATH, ...args].map(quote).join(" ")}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...cleanEnv(), TERM: "xterm", SHELL: "/bin/sh", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  const waiters: Array<{ test: (s: string) => boolean; resolve: () => void }> = [];
  const onData = (chunk: Buffer) => {
    screen += chunk.toString();
    for (const w of [...waiters]) {
      if (w.test(screen)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    waitFor(text) {
      const test = (s: string) => (typeof text === "string" ? s.includes(text) : text.test(s));
      if (test(screen)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    type(keys) {
      child.stdin.write(keys);
    },
    output: () => screen,
    exit,
  };
}
