import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { AuditRecord, AuditSink } from "../sms/ports/audit.js";

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

const ROTATION_CHECK_MS = 1000;

const SAFE_APPEND =
  constants.O_WRONLY |
  constants.O_APPEND |
  constants.O_CREAT |
  constants.O_NOFOLLOW |
  constants.O_NONBLOCK;

/** An audit log path that cannot be used, in one sentence (never following it). */
export class AuditLogPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditLogPathError";
  }
}

function unusable(path: string, code: string | undefined): AuditLogPathError {
  if (code === "ELOOP") {
    return new AuditLogPathError(
      `the audit log ${path} is a symbolic link; sms-mcp writes only a regular file (point SMS_MCP_AUDIT_LOG at the file itself)`,
    );
  }
  if (code === "ENOTREG" || code === "EISDIR" || code === "ENXIO") {
    return new AuditLogPathError(
      `the audit log ${path} is not a regular file (a directory, a FIFO or a device); point SMS_MCP_AUDIT_LOG at a file`,
    );
  }
  return new AuditLogPathError(`cannot open the audit log ${path} (${code ?? "error"})`);
}

/**
 * Append-only JSON lines, mode 0600, through one file descriptor kept open. Each record is a
 * single synchronous `O_APPEND` write, so records land in call order before the tool answers,
 * with no thread-pool round trip per send. A crash can at worst cut the last line short; the
 * next run starts on a fresh line, leaving it isolated.
 */
export class AuditLogFile implements AuditSink {
  private fd: number | undefined;
  private inode = 0;
  private checkedAt = 0;

  /**
   * @param rotationCheckMs how often the path is looked at for a rotated log. Default: 1 s.
   */
  constructor(
    readonly path: string,
    private readonly rotationCheckMs = ROTATION_CHECK_MS,
  ) {}

  /**
   * Opens (creating) the log now, so a path that cannot be used fails at start-up. A link at
   * the path is not followed, a FIFO is not waited on, and anything but a regular file is
   * refused; an existing file's mode is tightened only when it is this user's own.
   */
  open(): number {
    this.reopenIfRotated();
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      let fd: number;
      try {
        fd = openSync(this.path, SAFE_APPEND, 0o600);
      } catch (error) {
        throw unusable(this.path, (error as NodeJS.ErrnoException).code);
      }
      const stats = fstatSync(fd);
      if (!stats.isFile()) {
        closeSync(fd);
        throw unusable(this.path, "ENOTREG");
      }
      if (stats.uid === process.getuid?.() && (stats.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
      if (!endsCleanly(this.path)) writeSync(fd, "\n");
      this.fd = fd;
      this.inode = stats.ino;
    }
    return this.fd;
  }

  /**
   * A log the user rotated (renamed or deleted) is followed by a new file at the path; looked
   * at no more than once a second, so a busy server pays for it once, not per send.
   */
  private reopenIfRotated(): void {
    if (this.fd === undefined) return;
    const now = Date.now();
    if (now - this.checkedAt < this.rotationCheckMs) return;
    this.checkedAt = now;
    let current: number;
    try {
      current = statSync(this.path).ino;
    } catch {
      current = -1;
    }
    if (current !== this.inode) this.close();
  }

  /** Appends one line; a failure (full disk, bad path) rejects, and the next call retries. */
  async append(record: AuditRecord): Promise<void> {
    // A pending line names its process, so `sms-mcp log` can tell a send still in flight from
    // one whose process died before it could write the outcome.
    const line = record.outcome === "pending" ? { ...record, pid: process.pid } : record;
    try {
      writeSync(this.open(), `${JSON.stringify(line)}\n`);
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
