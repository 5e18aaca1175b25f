import { mkdir, rmdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError } from "./configError.js";

/** A lock older than this was left by a process that died mid-write. */
const STALE_MS = 10_000;
const GIVE_UP_MS = 15_000;

/**
 * Runs `work` holding the config file's lock (a directory beside it: mkdir is atomic), so two
 * `connect` or `disconnect` commands at the same moment take turns, and each reads the file
 * the other just wrote before changing it.
 */
export async function withConfigLock<T>(configPath: string, work: () => Promise<T>): Promise<T> {
  const lock = `${configPath}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock, { mode: 0o700 });
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        // The config's own folder does not exist yet: make it, then try again.
        await mkdir(dirname(configPath), {
          recursive: true,
          mode: 0o700,
        });
        continue;
      }
      if (code !== "EEXIST") {
        throw new ConfigError(`cannot lock the config file ${configPath} (${code ?? "error"})`);
      }
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_MS) await rmdir(lock).catch(() => undefined);
      else if (Date.now() - started > GIVE_UP_MS) {
        throw new ConfigError(
          `the config file ${configPath} stayed locked by another sms-mcp command; try again`,
        );
      } else await sleep(20);
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}
