import { createHash } from "node:crypto";
import { appendFile, chmod, mkdir, open, readFile } from "node:fs/promises";
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
 * Append-only JSON lines, mode 0600. Each record is one `O_APPEND` write, so a crash can at
 * worst cut the last line short; the next write starts on a fresh line, leaving it isolated.
 */
export class AuditLog {
  private ready: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      const prefix = (await endsCleanly(this.path)) ? "" : "\n";
      await appendFile(this.path, prefix, { mode: 0o600 });
      await chmod(this.path, 0o600);
    })();
    return this.ready;
  }

  /** Appends in call order; resolves once the line is written. */
  append(record: AuditRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const write = this.tail.then(async () => {
      await this.prepare();
      await appendFile(this.path, line, { mode: 0o600 });
    });
    this.tail = write.catch(() => undefined);
    return write;
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
