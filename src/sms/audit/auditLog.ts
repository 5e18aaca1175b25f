import { createHash } from "node:crypto";
import { chmod, type FileHandle, mkdir, open, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export type AuditOutcome = "sent" | "failed" | "refused" | "duplicate" | "dry_run";

/** One line per attempt. Never a secret; the body only when the owner turned that on. */
export interface AuditRecord {
  time: string;
  connection: string;
  provider: string;
  to: string | null;
  from: string | null;
  segments: number | null;
  encoding: string | null;
  outcome: AuditOutcome;
  errorCategory: string | null;
  messageId: string | null;
  bodySha256: string | null;
  body?: string;
}

/** `$SMS_MCP_AUDIT_LOG`, else the platform's state directory + `sms-mcp/audit.log`. */
export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SMS_MCP_AUDIT_LOG) return env.SMS_MCP_AUDIT_LOG;
  const home = homedir();
  if (process.platform === "win32") {
    return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "sms-mcp", "audit.log");
  }
  if (process.platform === "darwin") return join(home, "Library", "Logs", "sms-mcp", "audit.log");
  return join(env.XDG_STATE_HOME || join(home, ".local", "state"), "sms-mcp", "audit.log");
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** True when the file is missing, empty, or ends with a newline. */
async function endsCleanly(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "r");
    const { size } = await handle.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Append-only JSON lines, mode 0600. Lines queued while a write is under way go out together
 * in the next single `O_APPEND` write (one file handle, kept open), so a busy server does not
 * pay an open/close per send. A crash can at worst cut the last line short; the next run
 * starts on a fresh line, leaving it isolated.
 */
export class AuditLog {
  private handle: Promise<FileHandle> | undefined;
  private queue: Array<{ line: string; done: () => void; failed: (error: unknown) => void }> = [];
  private writing = false;

  constructor(readonly path: string) {}

  private open(): Promise<FileHandle> {
    if (!this.handle) {
      const opening = (async () => {
        await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
        const clean = await endsCleanly(this.path);
        const handle = await open(this.path, "a", 0o600);
        await chmod(this.path, 0o600);
        if (!clean) await handle.write("\n");
        return handle;
      })();
      this.handle = opening;
      // A failed open (full disk, bad path) is retried on the next append.
      opening.catch(() => {
        if (this.handle === opening) this.handle = undefined;
      });
    }
    return this.handle;
  }

  /** Appends in call order; resolves once the line is on disk's page cache. */
  append(record: AuditRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    return new Promise((done, failed) => {
      this.queue.push({ line, done, failed });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const handle = await this.open();
        await handle.write(batch.map((entry) => entry.line).join(""));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
    this.writing = false;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }
}

/** Reads the records, skipping any line a crash left incomplete. */
export async function readAudit(path: string): Promise<AuditRecord[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: AuditRecord[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const record = JSON.parse(line) as AuditRecord;
      if (typeof record.time === "string" && typeof record.outcome === "string")
        records.push(record);
    } catch {
      // A torn line from a crash: the lines around it are intact.
    }
  }
  return records;
}
