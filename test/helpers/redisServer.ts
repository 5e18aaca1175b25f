import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP) or lets it run again (SIGCONT). */
  freeze(frozen: boolean): void;
}

/** Whether a redis-server binary is here; if not, why not. */
export function redisStatus(): { available: boolean; reason: string } {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  return probe.status === 0
    ? { available: true, reason: "" }
    : { available: false, reason: "no redis-server on PATH (apt-get install redis-server)" };
}

/**
 * A throwaway redis-server on a free loopback port: no persistence, stopped by the test.
 * `extraArgs` are more of redis-server's options (e.g. `--replicaof 127.0.0.1 <port>`).
 */
export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "sms-mcp-redis-"));
  let child: ChildProcess | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const args = [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        // A replica's full sync writes an RDB file even without --save: not in the checkout.
        "--dir",
        dataDir,
        ...extraArgs,
      ];
      const started = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
      child = started;
      let output = "";
      started.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) resolve();
      });
      started.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      // Killed by a signal, a process has a signalCode and no exitCode.
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  await start();
  const freeze = (frozen: boolean) => child?.kill(frozen ? "SIGSTOP" : "SIGCONT");
  return { url: `redis://127.0.0.1:${port}/0`, port, stop, start, freeze };
}
