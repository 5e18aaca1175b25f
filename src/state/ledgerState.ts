import type {
  ClaimDecision,
  ClaimRequest,
  EarlierAttempt,
  RateBucket,
  RateLimited,
  Settlement,
} from "../sms/ports/store.js";

/**
 * A duplicate key held in the ledger: by which attempt, until when, for which process. The
 * store reports it to the domain as an `EarlierAttempt`.
 */
export interface HeldKey {
  attemptId: string;
  state: EarlierAttempt["state"];
  messageId: string | undefined;
  /** When it was claimed. */
  at: number;
  expiresAt: number;
  /** Which process claimed it, for telling a send in flight from one whose process died. */
  owner: string;
}

const SWEEP_EVERY = 256;

/**
 * The ledger's state in memory: duplicate keys held by attempts, and each rate bucket's
 * recent claim times. A decision changes no outcome (it only drops times no window counts
 * any more, and widens a bucket to the window it was asked with); claims, outcomes and
 * restored state come only through `claim`, `settle` and `restore`, so a file or log can
 * rebuild the same state by replaying them in order.
 */
export class LedgerState {
  private readonly hits = new Map<string, { windowMs: number; times: number[] }>();
  private readonly held = new Map<string, HeldKey>();
  private readonly keyOfAttempt = new Map<string, string>();
  private calls = 0;
  private nextSweepAt = SWEEP_EVERY;

  /**
   * @param isLive whether a pending attempt's process may still answer; one that cannot is
   *   read as `unknown`. Default: always (one process, which settles what it claims).
   */
  constructor(private readonly isLive: (attempt: HeldKey, now: number) => boolean = () => true) {}

  /** Rate windows and duplicate keys held (aged-out ones go at the next sweep). */
  get size(): number {
    return this.hits.size + this.held.size;
  }

  /** The attempt holding `key` now, if any. */
  holder(key: string, now: number): EarlierAttempt | undefined {
    const held = this.held.get(key);
    return held && held.expiresAt > now ? this.view(held, now) : undefined;
  }

  /** What a claim would get now, without changing anything. */
  decide({ duplicate, buckets }: ClaimRequest, now: number): ClaimDecision {
    const earlier = duplicate && this.holder(duplicate.key, now);
    if (earlier) return { kind: "duplicate", earlier };
    return this.rateRefusal(buckets, now) ?? { kind: "claimed" };
  }

  /** The first bucket with no room for one more claim now, if any. */
  rateRefusal(buckets: readonly RateBucket[], now: number): RateLimited | undefined {
    for (const bucket of buckets) {
      if (bucket.limit <= 0) return { kind: "rate_limited", bucket, retryAfterMs: undefined };
      const recent = this.recent(bucket.key, bucket.windowMs, now);
      if (recent && recent.length >= bucket.limit) {
        const oldest = recent[recent.length - bucket.limit] ?? now;
        return { kind: "rate_limited", bucket, retryAfterMs: oldest + bucket.windowMs - now };
      }
    }
    return undefined;
  }

  /** Records a claimed attempt: one unit from each bucket, and the duplicate key held. */
  claim(
    attemptId: string,
    duplicate: ClaimRequest["duplicate"],
    buckets: ReadonlyArray<Pick<RateBucket, "key" | "windowMs">>,
    owner: string,
    now: number,
  ): void {
    this.sweep(now);
    for (const { key, windowMs } of buckets) {
      const entry = this.hits.get(key);
      // A new window starts as a one-element array (most recipients are texted once per
      // window; an empty array's first push reserves room for many).
      // `decide` has already widened the bucket to this window (see `recent`).
      if (entry) entry.times.push(now);
      else this.hits.set(key, { windowMs, times: [now] });
    }
    if (duplicate) {
      this.hold(duplicate.key, {
        attemptId,
        state: "pending",
        messageId: undefined,
        at: now,
        expiresAt: now + duplicate.windowMs,
        owner,
      });
    }
  }

  /** How an attempt ended: sent keeps its key with the message id, failed frees it. */
  settle(attemptId: string, settlement: Settlement): void {
    const key = this.keyOfAttempt.get(attemptId);
    const entry = key === undefined ? undefined : this.held.get(key);
    if (key === undefined || !entry || entry.attemptId !== attemptId) return;
    if (settlement.outcome === "failed") {
      this.release(key);
      return;
    }
    entry.state = settlement.outcome;
    entry.messageId = settlement.outcome === "sent" ? settlement.messageId : undefined;
  }

  /** Puts back state read from a compacted file, or carried into a replaced one. */
  restore(
    held: ReadonlyArray<[string, HeldKey]>,
    hits: ReadonlyArray<[string, number, number[]]>,
  ): void {
    for (const [key, attempt] of held) this.hold(key, attempt);
    for (const [key, windowMs, times] of hits) {
      // A bucket already counting (a ledger another process wrote, this one's carried into
      // it) keeps its times too: counting a send twice is safer than forgetting one.
      const known = this.hits.get(key);
      this.hits.set(key, {
        windowMs: Math.max(known?.windowMs ?? 0, windowMs),
        times: [...(known?.times ?? []), ...times].sort((a, b) => a - b),
      });
    }
  }

  /** Everything still live, for compaction: held keys and each bucket's times in its window. */
  live(now: number): {
    held: Array<[string, HeldKey]>;
    hits: Array<[string, number, number[]]>;
  } {
    const held: Array<[string, HeldKey]> = [];
    for (const [key, attempt] of this.held) if (attempt.expiresAt > now) held.push([key, attempt]);
    const hits: Array<[string, number, number[]]> = [];
    for (const [key, { windowMs }] of this.hits) {
      const recent = this.recent(key, windowMs, now);
      if (recent && recent.length > 0) hits.push([key, windowMs, [...recent]]);
    }
    return { held, hits };
  }

  private hold(key: string, attempt: HeldKey): void {
    const previous = this.held.get(key);
    if (previous) this.keyOfAttempt.delete(previous.attemptId);
    this.held.set(key, attempt);
    this.keyOfAttempt.set(attempt.attemptId, key);
  }

  private release(key: string): void {
    const entry = this.held.get(key);
    if (entry) this.keyOfAttempt.delete(entry.attemptId);
    this.held.delete(key);
  }

  private view(attempt: HeldKey, now: number): EarlierAttempt {
    const { at, attemptId } = attempt;
    if (attempt.state === "sent") {
      return { state: "sent", at, attemptId, messageId: attempt.messageId };
    }
    if (attempt.state === "pending" && this.isLive(attempt, now)) {
      return { state: "pending", at, attemptId };
    }
    return { state: "unknown", at, attemptId };
  }

  /**
   * The bucket's times inside `windowMs` (appended in order: aged ones are in front). Only
   * what the longest window this bucket was claimed with has let go is dropped: a process
   * configured with a shorter window shares the bucket with one that still counts older sends.
   */
  private recent(key: string, windowMs: number, now: number): number[] | undefined {
    const entry = this.hits.get(key);
    if (!entry) return undefined;
    entry.windowMs = Math.max(entry.windowMs, windowMs);
    const { times } = entry;
    let aged = 0;
    while (aged < times.length && (times[aged] ?? 0) <= now - entry.windowMs) aged += 1;
    if (aged > 0) times.splice(0, aged);
    let outside = 0;
    while (outside < times.length && (times[outside] ?? 0) <= now - windowMs) outside += 1;
    return outside === 0 ? times : times.slice(outside);
  }

  /**
   * Drops what has aged out, so memory stays flat however long the server runs. A sweep visits
   * every entry, and the next one waits as many calls as there are entries: O(1) per call.
   */
  private sweep(now: number): void {
    this.calls += 1;
    if (this.calls < this.nextSweepAt) return;
    for (const [key, entry] of this.held) if (entry.expiresAt <= now) this.release(key);
    for (const [key, { windowMs, times }] of this.hits) {
      if ((times.at(-1) ?? 0) <= now - windowMs) this.hits.delete(key);
    }
    this.nextSweepAt = this.calls + Math.max(SWEEP_EVERY, this.held.size + this.hits.size);
  }
}
