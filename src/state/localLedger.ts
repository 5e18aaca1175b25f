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
import type {
  ClaimDecision,
  ClaimRequest,
  GuardrailStore,
  Settlement,
} from "../sms/ports/store.js";
import { FileLock, processIsAlive } from "./fileLock.js";
import { type HeldAttempt, LedgerState } from "./ledgerState.js";

/** One line of the ledger file. */
type LedgerLine =
  /** A claimed attempt (write-ahead), with its outcome when compaction has merged one in. */
  | {
      c: string;
      t: number;
      o: string;
      k?: string;
      w?: number;
      b: Array<[string, number]>;
      to?: string;
      from?: string;
      h?: string;
      r?: HeldAttempt["state"];
      m?: string;
    }
  /** How an attempt ended. */
  | { s: string; t: number; r: Settlement["outcome"]; m?: string }
  /** A rate bucket's recent times, written by compaction. */
  | { hk: string; w: number; ts: number[] };

export interface LocalLedgerOptions {
  /** The ledger file; its lock is the same path + `.lock`. */
  path: string;
  /**
   * A pending attempt older than this is read as unknown even if its process still runs
   * (it cannot still be waiting for the provider). Default: 5 minutes.
   */
  stalePendingMs?: number;
  /** The file is rewritten with only its live entries once it grows past this. Default: 1 MiB. */
  compactAtBytes?: number;
  /** Told how many unreadable lines a read skipped (a torn or corrupted file). */
  onSkippedLines?: (count: number) => void;
}

/**
 * The send ledger in a file under the state directory, shared by every process that uses the
 * same directory. Each step takes the file's lock, reads what other processes appended since
 * its last look, decides, and appends one JSON line, so two processes never both claim the
 * same text. Lines are written with one `write()` each, so a SIGKILL leaves at worst a torn
 * last line, which is skipped. The file is compacted (rewritten and renamed into place) once
 * it grows, so it holds only what is still inside its windows.
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
  private needsNewline = false;

  constructor(private readonly options: LocalLedgerOptions) {
    this.lock = new FileLock(`${options.path}.lock`);
    this.stalePendingMs = options.stalePendingMs ?? 5 * 60_000;
    this.compactAtBytes = options.compactAtBytes ?? 1024 * 1024;
    this.state = this.freshState();
  }

  /** Opens (creating) the file now, so an unwritable state directory fails at start-up. */
  open(): void {
    mkdirSync(dirname(this.options.path), { recursive: true, mode: 0o700 });
    this.reopen();
  }

  async claim(request: ClaimRequest, now: number): Promise<ClaimDecision> {
    return this.lock.with(() => {
      this.catchUp();
      const decision = this.state.decide(request, now);
      if (decision.kind !== "claimed") return decision;
      const { attemptId, duplicate, buckets, attempt } = request;
      this.append({
        c: attemptId,
        t: now,
        o: this.owner,
        k: duplicate?.key,
        w: duplicate?.windowMs,
        b: buckets.map((bucket) => [bucket.key, bucket.windowMs]),
        to: attempt.to,
        from: attempt.from,
        h: attempt.bodySha256,
      });
      this.state.claim(attemptId, duplicate, buckets, this.owner, now);
      if (this.offset > this.compactAtBytes) this.compact(now);
      return decision;
    });
  }

  async settle(
    attemptId: string,
    _duplicateKey: string | undefined,
    settlement: Settlement,
    now: number,
  ): Promise<void> {
    await this.lock.with(() => {
      this.catchUp();
      const messageId = settlement.outcome === "sent" ? settlement.messageId : undefined;
      this.append({ s: attemptId, t: now, r: settlement.outcome, m: messageId });
      this.state.settle(attemptId, settlement);
    });
  }

  async close(): Promise<void> {
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private freshState(): LedgerState {
    return new LedgerState(
      (attempt, now) =>
        now - attempt.at < this.stalePendingMs &&
        (attempt.owner === this.owner || processIsAlive(Number(attempt.owner))),
    );
  }

  private reopen(): void {
    this.closeFile();
    this.fd = openSync(this.options.path, "a+", 0o600);
    this.inode = fstatSync(this.fd).ino;
    this.offset = 0;
    this.needsNewline = false;
    this.state = this.freshState();
  }

  /** Reads what was appended since the last look; starts over if the file was replaced. */
  private catchUp(): void {
    if (this.fd === undefined) this.open();
    let current: number;
    try {
      current = statSync(this.options.path).ino;
    } catch {
      current = -1;
    }
    if (current !== this.inode) this.reopen();
    const fd = this.fd as number;
    const size = fstatSync(fd).size;
    if (size < this.offset) this.reopen();
    if (size === this.offset) return;
    const bytes = Buffer.alloc(size - this.offset);
    readSync(fd, bytes, 0, bytes.length, this.offset);
    this.offset = size;
    const text = bytes.toString("utf8");
    // Every append ends with a newline; a tail without one was cut short by a crash.
    this.needsNewline = !text.endsWith("\n");
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      if (!this.apply(line)) skipped += 1;
    }
    if (skipped > 0) this.options.onSkippedLines?.(skipped);
  }

  private apply(text: string): boolean {
    let line: LedgerLine;
    try {
      line = JSON.parse(text) as LedgerLine;
    } catch {
      return false;
    }
    if ("c" in line && typeof line.c === "string" && typeof line.t === "number") {
      const duplicate =
        typeof line.k === "string" && typeof line.w === "number"
          ? { key: line.k, windowMs: line.w }
          : undefined;
      const buckets = Array.isArray(line.b)
        ? line.b.map(([key, windowMs]) => ({ key, windowMs }))
        : [];
      this.state.claim(line.c, duplicate, buckets, String(line.o), line.t);
      if (line.r && line.r !== "pending") {
        this.state.settle(
          line.c,
          line.r === "sent" ? { outcome: "sent", messageId: line.m ?? "" } : { outcome: line.r },
        );
      }
      return true;
    }
    if ("s" in line && typeof line.s === "string") {
      if (line.r === "sent" && typeof line.m === "string") {
        this.state.settle(line.s, { outcome: "sent", messageId: line.m });
      } else if (line.r === "failed" || line.r === "unknown") {
        this.state.settle(line.s, { outcome: line.r });
      }
      return true;
    }
    if ("hk" in line && typeof line.hk === "string" && Array.isArray(line.ts)) {
      this.state.restore([], [[line.hk, line.w, line.ts.filter((t) => typeof t === "number")]]);
      return true;
    }
    return false;
  }

  private append(line: LedgerLine): void {
    const text = `${this.needsNewline ? "\n" : ""}${JSON.stringify(line)}\n`;
    const written = writeSync(this.fd as number, text);
    this.offset += written;
    this.needsNewline = false;
  }

  /** Rewrites the file with only what is live, and renames it into place (under the lock). */
  private compact(now: number): void {
    const { held, hits } = this.state.live(now);
    const lines: LedgerLine[] = [
      ...held.map(
        ([key, attempt]): LedgerLine => ({
          c: attempt.attemptId,
          t: attempt.at,
          o: attempt.owner,
          k: key,
          w: attempt.expiresAt - attempt.at,
          b: [],
          r: attempt.state,
          m: attempt.messageId,
        }),
      ),
      ...hits.map(([key, windowMs, times]): LedgerLine => ({ hk: key, w: windowMs, ts: times })),
    ];
    const temp = `${this.options.path}.${process.pid}.compact`;
    writeFileSync(temp, lines.map((line) => `${JSON.stringify(line)}\n`).join(""), {
      mode: 0o600,
    });
    renameSync(temp, this.options.path);
    this.reopen();
    this.catchUp();
  }
}
