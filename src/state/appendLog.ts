import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";

/** A ledger line the file system took only part of (a full disk): nothing was recorded. */
export class LedgerWriteError extends Error {
  constructor(path: string, written: number, bytes: number) {
    super(
      `the send ledger ${path} took ${written} of ${bytes} bytes (is the disk full?): the line does not count`,
    );
    this.name = "LedgerWriteError";
  }
}

/**
 * A file that several processes append lines to and each reads in order, remembering how far
 * it has read. Each append is one `write()` to a file opened with O_APPEND, so the kernel
 * orders concurrent appends and never interleaves their bytes. It knows lines, not what they
 * mean: the ledger store gives them their meaning.
 */
export class AppendLog {
  private fd: number | undefined;
  private inode = 0;
  /** How far this process has read (and applied) the open file. */
  private readOffset = 0;
  /** The last text read did not end with a newline: a crash cut it short. */
  private tornTail = false;

  constructor(
    readonly path: string,
    private readonly onShortWrite?: (error: LedgerWriteError) => void,
  ) {}

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.readOffset;
  }

  /** Opens (creating) the file at the path afresh, to be read from its start. */
  open(): void {
    this.close();
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, "a+", 0o600);
    this.inode = fstatSync(this.fd).ino;
    this.readOffset = 0;
    this.tornTail = false;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** The path still names the open file, and it is at least as long as what was read. */
  isStillAtPath(): boolean {
    const atPath = this.statAtPath();
    return atPath?.ino === this.inode && atPath.size >= this.readOffset;
  }

  /** The path names a file other than the open one (a replacement was renamed into place). */
  isReplaced(): boolean {
    const inode = this.statAtPath()?.ino;
    return inode !== undefined && inode !== this.inode;
  }

  /** The open file is shorter than what was read of it. */
  isTruncated(): boolean {
    return fstatSync(this.openFd()).size < this.readOffset;
  }

  /**
   * What was appended since the last read, up to the end now.
   * @throws {Error} when the file became shorter than what was read of it.
   */
  readNew(): string {
    const size = fstatSync(this.openFd()).size;
    if (size < this.readOffset) {
      throw new Error(`the send ledger ${this.path} was truncated while in use`);
    }
    if (size === this.readOffset) return "";
    const bytes = Buffer.alloc(size - this.readOffset);
    readSync(this.openFd(), bytes, 0, bytes.length, this.readOffset);
    this.readOffset = size;
    const text = bytes.toString("utf8");
    this.tornTail = !text.endsWith("\n");
    return text;
  }

  /**
   * Appends `lines` (each ending with a newline) with one `write()`, whole or not at all: a
   * full disk can take part of a line and report no error, and a line cut short is no record
   * (every reader skips it), so it must not count as written. The torn line is closed with a
   * newline where the disk still takes one, so that it stays one unreadable line and the next
   * append starts clean.
   * @returns true when nothing else was appended since the last read (what was read now
   *   includes these lines); false when others' lines may surround them, to be read with
   *   `readNew`, these lines among them.
   * @throws {LedgerWriteError} when the lines were cut short.
   */
  append(lines: string): boolean {
    const fd = this.openFd();
    const before = this.readOffset;
    const text = `${this.tornTail ? "\n" : ""}${lines}`;
    const bytes = Buffer.byteLength(text);
    const written = writeSync(fd, text);
    this.tornTail = false;
    if (written !== bytes) {
      try {
        this.tornTail = writeSync(fd, "\n") !== 1;
      } catch {
        this.tornTail = true;
      }
      const error = new LedgerWriteError(this.path, written, bytes);
      this.onShortWrite?.(error);
      throw error;
    }
    if (fstatSync(fd).size !== before + written) return false;
    this.readOffset = before + written;
    return true;
  }

  /** Writes `lines` as a new file renamed over the path, and opens it. */
  replaceWith(lines: string): void {
    const temp = `${this.path}.${process.pid}.compact`;
    writeFileSync(temp, lines, { mode: 0o600 });
    renameSync(temp, this.path);
    this.open();
  }

  private statAtPath() {
    try {
      return statSync(this.path);
    } catch {
      return undefined;
    }
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`the send ledger ${this.path} is not open`);
    return this.fd;
  }
}
