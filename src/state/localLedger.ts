import { randomUUID } from "node:crypto";
import {
  closeSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ClaimDecision,
  type ClaimRequest,
  type EarlierAttempt,
  type GuardrailStore,
  PENDING_STALE_AFTER_MS,
  type Settlement,
} from "../sms/ports/store.js";
import { FileLock, processIsAlive } from "./fileLock.js";
import {
  type ClaimLine,
  ledgerText,
  liveLines,
  parseLedgerLine,
  type SettleLine,
} from "./ledgerLines.js";
import { LedgerState } from "./ledgerState.js";

export interface LocalLedgerOptions {
  /** The ledger file; compaction's lock is the same path + `.lock`. */
  path: string;
  /**
   * A pending attempt older than this is read as unknown even if its process still runs.
   * @default PENDING_STALE_AFTER_MS (5 minutes)
   */
  stalePendingMs?: number;
  /**
   * The file is rewritten with only its live entries once it grows past this, or past twice
   * its size after the last rewrite, whichever is larger. Default: 1 MiB.
   */
  compactAtBytes?: number;
  /** Told how many unreadable lines a read skipped (a torn or corrupted file). */
  onSkippedLines?: (count: number) => void;
  /** Told when the file system took only part of a line (the step that wrote it fails). */
  onShortWrite?: (error: LedgerWriteError) => void;
  /**
   * Told when the file was deleted, replaced or truncated while serving and the file now at the
   * path was opened afresh, with how many held texts this process carried into it.
   */
  onReplaced?: (carried: number) => void;
}

/** A ledger line the file system took only part of (a full disk): nothing was recorded. */
export class LedgerWriteError extends Error {
  constructor(path: string, written: number, bytes: number) {
    super(
      `the send ledger ${path} took ${written} of ${bytes} bytes (is the disk full?): the line does not count`,
    );
    this.name = "LedgerWriteError";
  }
}

/** How long a file marked as moved may wait for its replacement before another process takes over. */
const MOVE_TAKEOVER_MS = 2000;

/**
 * The send ledger in a file under the state directory, shared by every process that uses the
 * same directory, with no lock on the send path. Every step appends one JSON line with one
 * `write()` (O_APPEND: the kernel orders concurrent appends), then reads back whatever other
 * processes appended around it. All processes replay the same lines in the same order with
 * the same rule — a claim counts only if, at its place in the file, its duplicate key was free
 * and every rate bucket had room — so they agree on which of two racing claims won without
 * ever talking to each other. A SIGKILL leaves at worst a torn last line, which is skipped.
 *
 * Compaction (rare, under a lock file): the compactor appends a `moved` line, rewrites the
 * file with what is live up to that line, and renames it into place; a line that landed after
 * the `moved` line is void, and its writer, which reads it back, appends it again to the new
 * file.
 */
export class LocalLedgerStore implements GuardrailStore {
  private readonly lock: FileLock;
  private readonly owner = String(process.pid);
  private readonly stalePendingMs: number;
  private readonly compactAtBytes: number;
  private state: LedgerState;
  private fd: number | undefined;
  private inode = 0;
  private offset = 0;
  private nextCompactAt: number;
  /** The last line read did not end: a crash cut it short, so the next append starts a line. */
  private needsNewline = false;
  /** This file was marked moved: its replacement must be opened before anything else. */
  private moved = false;

  constructor(private readonly options: LocalLedgerOptions) {
    this.lock = new FileLock(`${options.path}.lock`);
    this.stalePendingMs = options.stalePendingMs ?? PENDING_STALE_AFTER_MS;
    this.compactAtBytes = options.compactAtBytes ?? 1024 * 1024;
    this.nextCompactAt = this.compactAtBytes;
    this.state = this.freshState();
  }

  /** Opens (creating) the file now, so an unwritable state directory fails at start-up. */
  open(): void {
    mkdirSync(dirname(this.options.path), { recursive: true, mode: 0o700 });
    this.reopen();
  }

  async claim(request: ClaimRequest, now: number): Promise<ClaimDecision> {
    this.followReplacement(now);
    if (this.fd === undefined || this.moved) await this.catchUp();
    // What other processes appended since the last look is read back after our line, which is
    // judged at its place; only a refusal, which writes nothing, must look first.
    if (this.state.decide(request, now).kind !== "claimed") {
      await this.catchUp();
      const refusal = this.state.decide(request, now);
      if (refusal.kind !== "claimed") return refusal;
    }
    const { attemptId, duplicate, buckets, attempt } = request;
    const line: ClaimLine = {
      c: attemptId,
      t: now,
      o: this.owner,
      k: duplicate?.key,
      w: duplicate?.windowMs,
      b: buckets.map((bucket) => [bucket.key, bucket.windowMs, bucket.limit]),
      to: attempt.to,
      from: attempt.from,
      h: attempt.bodySha256,
    };
    const decision = await this.appendAndJudge(line);
    this.compactIfLarge(now);
    return decision ?? { kind: "claimed" };
  }

  async earlier(duplicateKey: string, now: number): Promise<EarlierAttempt | undefined> {
    this.followReplacement(now);
    await this.catchUp();
    return this.state.holder(duplicateKey, now);
  }

  /**
   * A seen key is a claim of its own key with no rate bucket: the ledger's one atomic step
   * decides, across processes, which sighting came first, and holds it for the window.
   */
  async firstSighting(key: string, windowMs: number, now: number): Promise<boolean> {
    const decision = await this.claim(
      {
        attemptId: `seen-${randomUUID()}`,
        duplicate: { key: `seen\n${key}`, windowMs },
        buckets: [],
        attempt: { to: "", from: "", bodySha256: "" },
      },
      now,
    );
    return decision.kind === "claimed";
  }

  /**
   * Kept in its own file beside the ledger (0600). Written whole to a temporary file, then
   * linked into place: the first link wins, and no process ever reads a half-written secret.
   */
  async sharedSecret(name: string, created: string): Promise<string> {
    const path = join(dirname(this.options.path), `${name}.secret`);
    const temp = `${path}.${process.pid}.${randomUUID()}`;
    writeFileSync(temp, created, { mode: 0o600, flag: "wx" });
    try {
      linkSync(temp, path);
      return created;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      return readFileSync(path, "utf8");
    } finally {
      unlinkSync(temp);
    }
  }

  async sighted(key: string, now: number): Promise<boolean> {
    return (await this.earlier(`seen\n${key}`, now)) !== undefined;
  }

  async settle(
    attemptId: string,
    duplicateKey: string | undefined,
    settlement: Settlement,
    now: number,
  ): Promise<void> {
    // Without a duplicate key there is nothing to settle: rates count the claim as it is.
    if (duplicateKey === undefined) return;
    // No look first: whatever others appended before this line is read back after it.
    if (this.fd === undefined) this.open();
    this.followReplacement(now);
    const messageId = settlement.outcome === "sent" ? settlement.messageId : undefined;
    await this.appendAndJudge({ s: attemptId, t: now, r: settlement.outcome, m: messageId });
  }

  async close(): Promise<void> {
    this.closeFile();
  }

  private freshState(): LedgerState {
    return new LedgerState(
      (attempt, now) =>
        now - attempt.at < this.stalePendingMs &&
        (attempt.owner === this.owner || processIsAlive(Number(attempt.owner))),
    );
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private reopen(): void {
    this.closeFile();
    this.fd = openSync(this.options.path, "a+", 0o600);
    this.inode = fstatSync(this.fd).ino;
    this.offset = 0;
    this.needsNewline = false;
    this.moved = false;
    this.state = this.freshState();
    this.readNew();
  }

  /** What the path names now; undefined when nothing (readable) is there. */
  private statAtPath(): Stats | undefined {
    try {
      return statSync(this.options.path);
    } catch {
      return undefined;
    }
  }

  /**
   * The path no longer names the open file, or the file is shorter than what was read of it:
   * someone deleted, replaced or truncated it while this process served. Appending on would
   * hide this process's claims from every process that opens the path (and theirs from it),
   * and a truncated file cannot be read on from where this process left it, so the file now at
   * the path is opened afresh (created if none) and the texts this process still holds are
   * carried into it, judged at their place like any claim. A compaction also changes the file,
   * but marks the old one first: that is followed as usual.
   */
  private followReplacement(now: number): void {
    if (this.fd === undefined || this.moved) return;
    // One stat answers the usual case: the path names the open file, as long as was read.
    const atPath = this.statAtPath();
    if (atPath?.ino === this.inode && atPath.size >= this.offset) return;
    const truncated = fstatSync(this.fd).size < this.offset;
    if (!truncated) this.readNew();
    if (this.moved) return;
    const { held, hits } = this.state.live(now);
    this.open();
    const lines = liveLines(held, hits);
    if (lines.length > 0) this.appendAndRead(ledgerText(lines));
    this.options.onReplaced?.(held.length);
  }

  /** Applies what other processes appended since the last look; follows a compaction. */
  private async catchUp(): Promise<void> {
    if (this.fd === undefined) this.open();
    this.readNew();
    while (this.moved) await this.followMove();
  }

  /** Reads from the last offset to the end and applies each line. */
  private readNew(): void {
    const size = fstatSync(this.fd as number).size;
    if (size > this.offset && !this.moved) this.applyRange(this.offset, size);
  }

  /**
   * Reads the bytes from `from` to `to` and applies each whole line in file order, up to a
   * `moved` line; `own`, the text of a line this process just appended, is judged by its
   * callback at its place. Returns whether `own` was among them.
   */
  private applyRange(from: number, to: number, own?: { text: string; judge: () => void }): boolean {
    if (to < from) {
      // Cut short between this process's look and its append: the next step starts afresh.
      throw new Error(`the send ledger ${this.options.path} was truncated while in use`);
    }
    const bytes = Buffer.alloc(to - from);
    readSync(this.fd as number, bytes, 0, bytes.length, from);
    this.offset = to;
    const text = bytes.toString("utf8");
    // Every append ends with a newline; a tail without one was cut short by a crash.
    this.needsNewline = !text.endsWith("\n");
    let sawOwn = false;
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line === "" || this.moved) continue;
      if (own && !sawOwn && line === own.text) {
        own.judge();
        sawOwn = true;
      } else if (!this.apply(line)) skipped += 1;
    }
    if (skipped > 0) this.options.onSkippedLines?.(skipped);
    return sawOwn;
  }

  /**
   * Appends one line and reads back what surrounds it. For a claim, the answer is its verdict
   * at its place in the file; a line that landed after a `moved` line is appended again to
   * the new file.
   */
  private async appendAndJudge(line: ClaimLine | SettleLine): Promise<ClaimDecision | undefined> {
    for (;;) {
      const text = JSON.stringify(line);
      const before = this.offset;
      const written = this.appendWhole(`${text}\n`);
      const size = fstatSync(this.fd as number).size;
      if (size === before + written) {
        // Nothing else was appended since the last look: the line follows what is known.
        this.offset = size;
        return this.applyOwn(line);
      }
      // Other lines came before and after ours: replay them all, in file order.
      let verdict: ClaimDecision | undefined;
      const counted = this.applyRange(before, size, {
        text,
        judge: () => {
          verdict = this.applyOwn(line);
        },
      });
      if (counted) {
        while (this.moved) await this.followMove();
        return verdict;
      }
      // Our line landed after a `moved` line: it is void here; write it to the new file.
      while (this.moved) await this.followMove();
    }
  }

  /**
   * Appends `lines` (each ending with a newline) with one `write()`, whole or not at all: a
   * full disk can take part of a line and report no error, and a line cut short is no record
   * (every reader skips it), so it must not count as written. The torn line is closed with a
   * newline where the disk still takes one, so that it stays one unreadable line and the next
   * append starts clean. Returns the bytes written, a newline closing an earlier torn line
   * included.
   * @throws {LedgerWriteError} when the line was cut short.
   */
  private appendWhole(lines: string): number {
    const fd = this.fd as number;
    const text = `${this.needsNewline ? "\n" : ""}${lines}`;
    const bytes = Buffer.byteLength(text);
    const written = writeSync(fd, text);
    this.needsNewline = false;
    if (written === bytes) return written;
    try {
      this.needsNewline = writeSync(fd, "\n") !== 1;
    } catch {
      this.needsNewline = true;
    }
    const error = new LedgerWriteError(this.options.path, written, bytes);
    this.options.onShortWrite?.(error);
    throw error;
  }

  /** Appends `lines` and applies everything up to the end, theirs and others' alike. */
  private appendAndRead(lines: string): void {
    const before = this.offset;
    this.appendWhole(lines);
    this.applyRange(before, fstatSync(this.fd as number).size);
  }

  private applyOwn(line: ClaimLine | SettleLine): ClaimDecision | undefined {
    if ("c" in line) return this.applyClaim(line);
    this.settleFrom(line.s, line.r, line.m);
    return undefined;
  }

  /** A claim counts only if, at its place, its key was free and every bucket had room. */
  private applyClaim(line: ClaimLine): ClaimDecision {
    const duplicate =
      typeof line.k === "string" && typeof line.w === "number"
        ? { key: line.k, windowMs: line.w }
        : undefined;
    const buckets = (Array.isArray(line.b) ? line.b : []).map(([key, windowMs, limit]) => ({
      key,
      windowMs,
      limit: typeof limit === "number" ? limit : Number.POSITIVE_INFINITY,
      label: "",
    }));
    const decision = this.state.decide(
      {
        attemptId: line.c,
        duplicate,
        buckets,
        attempt: { to: "", from: "", bodySha256: "" },
      },
      line.t,
    );
    if (decision.kind === "claimed") {
      this.state.claim(line.c, duplicate, buckets, String(line.o), line.t);
      if (line.r && line.r !== "pending") this.settleFrom(line.c, line.r, line.m);
    }
    return decision;
  }

  private settleFrom(attemptId: string, outcome: string, messageId: string | undefined): void {
    if (outcome === "sent" && typeof messageId === "string") {
      this.state.settle(attemptId, { outcome: "sent", messageId });
    } else if (outcome === "failed" || outcome === "unknown") {
      this.state.settle(attemptId, { outcome });
    }
  }

  /** Applies another process's line (or a compacted one); false when it cannot be read. */
  private apply(text: string): boolean {
    const line = parseLedgerLine(text);
    if (line === undefined) return false;
    if ("c" in line) this.applyClaim(line);
    else if ("s" in line) this.settleFrom(line.s, line.r, line.m);
    else if ("hk" in line) this.state.restore([], [[line.hk, line.w, line.ts]]);
    else this.moved = true;
    return true;
  }

  /**
   * This file was compacted: waits for its replacement and opens it. A compactor that died
   * before renaming the new file into place is taken over, from the same lines.
   */
  private async followMove(): Promise<void> {
    const started = Date.now();
    for (;;) {
      const current = this.statAtPath()?.ino;
      if (current !== undefined && current !== this.inode) {
        this.reopen();
        return;
      }
      if (Date.now() - started > MOVE_TAKEOVER_MS) {
        // Our state is exactly the file up to its `moved` line: write it out as the new file.
        this.lock.tryWith(() => {
          if (this.statAtPath()?.ino === this.inode) this.writeCompacted(Date.now());
        });
      }
      await sleep(1);
    }
  }

  /** Once the file has grown enough, rewrites it with what is live (if no one else is). */
  private compactIfLarge(now: number): void {
    if (this.offset < this.nextCompactAt) return;
    this.lock.tryWith(() => {
      this.readNew();
      if (this.moved) return;
      // Lines other processes appended before the marker still count: read up to it.
      this.appendAndRead(ledgerText([{ moved: `${this.owner}-${now}` }]));
      this.writeCompacted(now);
    });
  }

  /** The live state as a new file, renamed over the old one; then reads it as any process would. */
  private writeCompacted(now: number): void {
    const { held, hits } = this.state.live(now);
    const lines = liveLines(held, hits);
    const temp = `${this.options.path}.${process.pid}.compact`;
    writeFileSync(temp, ledgerText(lines), { mode: 0o600 });
    renameSync(temp, this.options.path);
    this.reopen();
    this.nextCompactAt = Math.max(this.compactAtBytes, 2 * this.offset);
  }
}
