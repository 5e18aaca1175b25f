import { randomUUID } from "node:crypto";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ClaimDecision,
  type ClaimRequest,
  type EarlierAttempt,
  type GuardrailStore,
  PENDING_STALE_AFTER_MS,
  type RateBucket,
  type RateLimited,
  type Settlement,
} from "../sms/ports/store.js";
import { AppendLog, type LedgerWriteError } from "./appendLog.js";
import { FileLock, processIsAlive } from "./fileLock.js";
import {
  type ClaimEntry,
  encodeEntry,
  type LedgerEntry,
  ledgerText,
  liveEntries,
  parseLedgerLine,
  type SettleEntry,
} from "./ledgerLines.js";
import { LedgerState } from "./ledgerState.js";
import { sharedSecretFile } from "./sharedSecretFile.js";

export { LedgerWriteError } from "./appendLog.js";

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
  private readonly log: AppendLog;
  private readonly lock: FileLock;
  private readonly owner = String(process.pid);
  private readonly stalePendingMs: number;
  private readonly compactAtBytes: number;
  private state: LedgerState;
  private nextCompactAt: number;
  /** This file was marked moved: its replacement must be opened before anything else. */
  private moved = false;

  constructor(private readonly options: LocalLedgerOptions) {
    this.log = new AppendLog(options.path, options.onShortWrite);
    this.lock = new FileLock(`${options.path}.lock`);
    this.stalePendingMs = options.stalePendingMs ?? PENDING_STALE_AFTER_MS;
    this.compactAtBytes = options.compactAtBytes ?? 1024 * 1024;
    this.nextCompactAt = this.compactAtBytes;
    this.state = this.freshState();
  }

  /** Opens (creating) the file now, so an unwritable state directory fails at start-up. */
  open(): void {
    this.log.open();
    this.readAfresh();
  }

  async claim(request: ClaimRequest, now: number): Promise<ClaimDecision> {
    this.followReplacement(now);
    if (!this.log.isOpen || this.moved) await this.catchUp();
    // What other processes appended since the last look is read back after our line, which is
    // judged at its place; only a refusal, which writes nothing, must look first.
    if (this.state.decide(request, now).kind !== "claimed") {
      await this.catchUp();
      const refusal = this.state.decide(request, now);
      if (refusal.kind !== "claimed") return refusal;
    }
    const { attemptId, duplicate, buckets, attempt } = request;
    const decision = await this.appendAndJudge({
      kind: "claim",
      attemptId,
      at: now,
      owner: this.owner,
      duplicate,
      buckets: buckets.map(({ key, windowMs, limit }) => ({ key, windowMs, limit })),
      to: attempt.to,
      from: attempt.from,
      bodySha256: attempt.bodySha256,
    });
    this.compactIfLarge(now);
    if (decision?.kind !== "rate_limited") return decision ?? { kind: "claimed" };
    // Judged at its place from the line, the bucket lost what the line does not keep (its
    // label and rule): the caller's own bucket of that key says them.
    const asked = buckets.find((bucket) => bucket.key === decision.bucket.key);
    return asked ? { ...decision, bucket: asked } : decision;
  }

  async earlier(duplicateKey: string, now: number): Promise<EarlierAttempt | undefined> {
    this.followReplacement(now);
    await this.catchUp();
    return this.state.holder(duplicateKey, now);
  }

  async rateRefusal(buckets: RateBucket[], now: number): Promise<RateLimited | undefined> {
    this.followReplacement(now);
    await this.catchUp();
    return this.state.rateRefusal(buckets, now);
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

  /** Kept in its own file beside the ledger (0600). */
  async sharedSecret(name: string, created: string): Promise<string> {
    return sharedSecretFile(dirname(this.options.path), name, created);
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
    if (!this.log.isOpen) this.open();
    this.followReplacement(now);
    const messageId = settlement.outcome === "sent" ? settlement.messageId : undefined;
    await this.appendAndJudge({
      kind: "settle",
      attemptId,
      at: now,
      outcome: settlement.outcome,
      messageId,
    });
  }

  async close(): Promise<void> {
    this.log.close();
  }

  private freshState(): LedgerState {
    return new LedgerState(
      (attempt, now) =>
        now - attempt.at < this.stalePendingMs &&
        (attempt.owner === this.owner || processIsAlive(Number(attempt.owner))),
    );
  }

  /** The file just opened, read from its start into a fresh state. */
  private readAfresh(): void {
    this.moved = false;
    this.state = this.freshState();
    this.applyText(this.log.readNew());
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
    if (!this.log.isOpen || this.moved) return;
    // One stat answers the usual case: the path names the open file, as long as was read.
    if (this.log.isStillAtPath()) return;
    if (!this.log.isTruncated()) this.readNew();
    if (this.moved) return;
    const { held, hits } = this.state.live(now);
    this.open();
    const entries = liveEntries(held, hits);
    if (entries.length > 0) this.appendAndRead(ledgerText(entries));
    this.options.onReplaced?.(held.length);
  }

  /** Applies what other processes appended since the last look; follows a compaction. */
  private async catchUp(): Promise<void> {
    if (!this.log.isOpen) this.open();
    this.readNew();
    while (this.moved) await this.followMove();
  }

  /** Applies what was appended since the last read, unless this file was marked moved. */
  private readNew(): void {
    if (!this.moved) this.applyText(this.log.readNew());
  }

  /**
   * Applies each whole line of `text` in file order, up to a `moved` line; `own`, the text of a
   * line this process just appended, is judged by its callback at its place. Returns whether
   * `own` was among them.
   */
  private applyText(text: string, own?: { text: string; judge: () => void }): boolean {
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
  private async appendAndJudge(
    entry: ClaimEntry | SettleEntry,
  ): Promise<ClaimDecision | undefined> {
    const text = encodeEntry(entry);
    for (;;) {
      // Nothing else was appended since the last look: the line follows what is known.
      if (this.log.append(`${text}\n`)) return this.applyOwn(entry);
      // Other lines came before and after ours: replay them all, in file order.
      let verdict: ClaimDecision | undefined;
      const counted = this.applyText(this.log.readNew(), {
        text,
        judge: () => {
          verdict = this.applyOwn(entry);
        },
      });
      while (this.moved) await this.followMove();
      if (counted) return verdict;
      // Our line landed after a `moved` line: it was void there; it goes to the new file.
    }
  }

  /** Appends `lines` and applies everything up to the end, theirs and others' alike. */
  private appendAndRead(lines: string): void {
    this.applyText(this.log.append(lines) ? lines : this.log.readNew());
  }

  private applyOwn(entry: ClaimEntry | SettleEntry): ClaimDecision | undefined {
    if (entry.kind === "claim") return this.applyClaim(entry);
    this.settleFrom(entry.attemptId, entry.outcome, entry.messageId);
    return undefined;
  }

  /** A claim counts only if, at its place, its key was free and every bucket had room. */
  private applyClaim(entry: ClaimEntry): ClaimDecision {
    const buckets = entry.buckets.map((bucket) => ({ ...bucket, label: "" }));
    const decision = this.state.decide(
      {
        attemptId: entry.attemptId,
        duplicate: entry.duplicate,
        buckets,
        attempt: { to: "", from: "", bodySha256: "" },
      },
      entry.at,
    );
    if (decision.kind === "claimed") {
      this.state.claim(entry.attemptId, entry.duplicate, buckets, entry.owner, entry.at);
      if (entry.outcome && entry.outcome !== "pending") {
        this.settleFrom(entry.attemptId, entry.outcome, entry.messageId);
      }
    }
    return decision;
  }

  private settleFrom(
    attemptId: string,
    outcome: Settlement["outcome"] | "unknown",
    messageId: string | undefined,
  ): void {
    if (outcome === "sent") {
      if (messageId !== undefined) this.state.settle(attemptId, { outcome: "sent", messageId });
    } else {
      this.state.settle(attemptId, { outcome });
    }
  }

  /** Applies another process's line (or a compacted one); false when it cannot be read. */
  private apply(text: string): boolean {
    const entry: LedgerEntry | undefined = parseLedgerLine(text);
    if (entry === undefined) return false;
    if (entry.kind === "claim") this.applyClaim(entry);
    else if (entry.kind === "settle")
      this.settleFrom(entry.attemptId, entry.outcome, entry.messageId);
    else if (entry.kind === "bucket")
      this.state.restore([], [[entry.key, entry.windowMs, entry.times]]);
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
      if (this.log.isReplaced()) {
        this.open();
        return;
      }
      if (Date.now() - started > MOVE_TAKEOVER_MS) {
        // Our state is exactly the file up to its `moved` line: write it out as the new file
        // (also when the path names nothing: someone deleted the marked file).
        this.lock.tryWith(() => {
          if (!this.log.isReplaced()) this.writeCompacted(Date.now());
        });
      }
      await sleep(1);
    }
  }

  /** Once the file has grown enough, rewrites it with what is live (if no one else is). */
  private compactIfLarge(now: number): void {
    if (this.log.offset < this.nextCompactAt) return;
    this.lock.tryWith(() => {
      this.readNew();
      if (this.moved) return;
      // Lines other processes appended before the marker still count: read up to it.
      this.appendAndRead(ledgerText([{ kind: "moved", by: `${this.owner}-${now}` }]));
      this.writeCompacted(now);
    });
  }

  /** The live state as a new file, renamed over the old one; then read as any process would. */
  private writeCompacted(now: number): void {
    const { held, hits } = this.state.live(now);
    this.log.replaceWith(ledgerText(liveEntries(held, hits)));
    this.readAfresh();
    this.nextCompactAt = Math.max(this.compactAtBytes, 2 * this.log.offset);
  }
}
