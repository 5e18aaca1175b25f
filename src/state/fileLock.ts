import { randomBytes } from "node:crypto";
import {
  closeSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";

/** True while the process with this id runs (EPERM: it runs as another user). */
export function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * An advisory lock between processes: a file created with O_EXCL that holds the owner's pid.
 * It is held only while a few lines are read and one is appended, never across an await. A
 * lock whose owner died (SIGKILL mid-write) is taken over.
 */
export class FileLock {
  constructor(readonly path: string) {}

  /**
   * Runs `work` holding the lock if it is free now (or its owner died); undefined if another
   * process holds it. `work` is synchronous, so the hold is as short as it is.
   */
  tryWith<T>(work: () => T): T | undefined {
    if (!this.tryAcquire()) {
      this.takeOverIfOwnerDied();
      if (!this.tryAcquire()) return undefined;
    }
    try {
      return work();
    } finally {
      rmSync(this.path, { force: true });
    }
  }

  private tryAcquire(): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    return true;
  }

  private takeOverIfOwnerDied(): void {
    let owner: number;
    let age: number;
    try {
      owner = Number(readFileSync(this.path, "utf8"));
      age = Date.now() - statSync(this.path).mtimeMs;
    } catch {
      return;
    }
    // An empty file: its owner is writing it now, or died between creating and writing it.
    if (owner === 0 ? age < 1000 : processIsAlive(owner)) return;
    // Renamed first, so of several waiters that saw the same dead owner only one removes it.
    const aside = `${this.path}.${randomBytes(4).toString("hex")}.stale`;
    try {
      renameSync(this.path, aside);
      rmSync(aside, { force: true });
    } catch {
      // Another waiter took it over first.
    }
  }
}
