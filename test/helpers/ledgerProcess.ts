// A send ledger (the built LocalLedgerStore) in a process of its own, driven line by line over
// stdin, so a test can hold two processes at a barrier and release them together.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";

const STORE = fileURLToPath(new URL("../../dist/state/localLedger.js", import.meta.url));

// `open <path>` opens that ledger (reading what is there) and answers `ready`; `claim <id>`
// claims the duplicate key `k` for an hour and answers the decision's kind.
const SCRIPT = `
import { createInterface } from "node:readline";
const { LocalLedgerStore } = await import(process.argv[1]);
let store;
for await (const line of createInterface({ input: process.stdin })) {
  const [command, value] = line.split(" ");
  if (command === "open") {
    store?.close();
    store = new LocalLedgerStore({ path: value });
    store.open();
    process.stdout.write("ready\\n");
  } else if (command === "claim") {
    const decision = await store.claim(
      {
        attemptId: value,
        duplicate: { key: "k", windowMs: 3_600_000 },
        buckets: [],
        attempt: { to: "+15551234567", from: "+15550000000", bodySha256: "" },
      },
      Date.now(),
    );
    process.stdout.write(decision.kind + "\\n");
  }
}
`;

export interface LedgerProcess {
  /** Sends one command and resolves with its one-line answer. */
  ask(command: string): Promise<string>;
  /** Sends a command without waiting (the answer comes from `answer()`). */
  tell(command: string): void;
  /** The next answer line. */
  answer(): Promise<string>;
  stop(): void;
}

export function startLedgerProcess(): LedgerProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--input-type=module", "-e", SCRIPT, STORE],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines: Interface = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: Array<(line: string) => void> = [];
  const early: string[] = [];
  lines.on("line", (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  const answer = () =>
    new Promise<string>((resolve) => {
      const line = early.shift();
      if (line !== undefined) resolve(line);
      else waiting.push(resolve);
    });
  const tell = (command: string) => {
    child.stdin?.write(`${command}\n`);
  };
  return {
    tell,
    answer,
    ask: (command) => {
      tell(command);
      return answer();
    },
    stop: () => child.kill(),
  };
}
