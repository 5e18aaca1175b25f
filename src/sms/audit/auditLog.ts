import {
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
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

/** True when the file is missing, empty, or ends with a newline. */
function endsCleanly(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const { size } = fstatSync(fd);
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Append-only JSON lines, mode 0600, through one file descriptor kept open. Each record is a
 * single synchronous `O_APPEND` write: it lands in the page cache in microseconds, in call
 * order, before the tool answers, and without a thread-pool round trip per send. A crash can
 * at worst cut the last line short; the next run starts on a fresh line, leaving it isolated.
 */
export class AuditLog {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  private open(): number {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      const clean = endsCleanly(this.path);
      const fd = openSync(this.path, "a", 0o600);
      fchmodSync(fd, 0o600);
      if (!clean) writeSync(fd, "\n");
      this.fd = fd;
    }
    return this.fd;
  }

  /** Appends one line; a failure (full disk, bad path) rejects, and the next call retries. */
  async append(record: AuditRecord): Promise<void> {
    try {
      writeSync(this.open(), `${JSON.stringify(record)}\n`);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } finally {
      this.fd = undefined;
    }
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
