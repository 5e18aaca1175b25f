import { type ChildProcess, spawn } from "node:child_process";
import { cleanEnv } from "./simulatorEnv.js";
import { CLI_PATH } from "./stdioServer.js";

export interface HttpCli {
  url: string;
  child: ChildProcess;
  stderr(): string;
  exit: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Spawns `sms-mcp serve --transport http --port 0` and resolves with its URL once it listens. */
export function startHttpCli(env: Record<string, string>, args: string[] = []): Promise<HttpCli> {
  const child = spawn(
    process.execPath,
    [CLI_PATH, "serve", "--transport", "http", "--port", "0", ...args],
    { env: { ...cleanEnv(), ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (match?.[1]) {
        resolve({
          url: match[1],
          child,
          stderr: () => stderr,
          exit,
          stop: () => {
            child.kill("SIGTERM");
            return exit;
          },
        });
      }
    });
    void exit.then((code) =>
      reject(new Error(`server exited with ${code} before listening: ${stderr}`)),
    );
  });
}
