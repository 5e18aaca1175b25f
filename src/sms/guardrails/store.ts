export interface RateBucket {
  key: string;
  limit: number;
  windowMs: number;
  /** Names the bucket in a refusal: "this recipient", "this connection". */
  label: string;
}

export type RateDecision =
  | { allowed: true }
  | { allowed: false; bucket: RateBucket; retryAfterMs: number | undefined };

export type DuplicateClaim =
  | { claimed: true }
  /** messageId is undefined while the earlier send is still in flight (on another replica). */
  | { claimed: false; messageId: string | undefined };

/**
 * The state guardrails keep between sends. Every method is one atomic step, so a shared store
 * (Redis: a Lua script or MULTI per call) can back several replicas with the same semantics.
 */
export interface GuardrailStore {
  /** Checks every bucket and consumes one unit from each only if all have room. */
  consume(buckets: RateBucket[], now: number): Promise<RateDecision>;
  /** Claims a duplicate key for windowMs, unless an earlier send holds it. */
  claimDuplicate(key: string, windowMs: number, now: number): Promise<DuplicateClaim>;
  /** Records the sent message id under the claim, or releases it when the send failed. */
  settleDuplicate(key: string, messageId: string | undefined, now: number): Promise<void>;
}

const SWEEP_EVERY = 256;

/** The default, for one process: sliding windows as timestamp lists, pruned as they age. */
export class MemoryGuardrailStore implements GuardrailStore {
  private readonly hits = new Map<string, { windowMs: number; times: number[] }>();
  private readonly duplicates = new Map<
    string,
    { messageId: string | undefined; expiresAt: number }
  >();
  private calls = 0;
  private nextSweepAt = SWEEP_EVERY;

  /** Rate windows and duplicate claims held (aged-out ones go at the next sweep). */
  get size(): number {
    return this.hits.size + this.duplicates.size;
  }

  async consume(buckets: RateBucket[], now: number): Promise<RateDecision> {
    this.sweep(now);
    const windows = buckets.map((bucket) => {
      const recent = this.hits.get(bucket.key)?.times;
      // Times are appended in order: drop the aged-out ones from the front, in place.
      let aged = 0;
      while (recent && aged < recent.length && (recent[aged] ?? 0) <= now - bucket.windowMs)
        aged += 1;
      if (aged > 0) recent?.splice(0, aged);
      return { bucket, recent };
    });
    for (const { bucket, recent } of windows) {
      const count = recent?.length ?? 0;
      if (bucket.limit <= 0) return { allowed: false, bucket, retryAfterMs: undefined };
      if (recent && count >= bucket.limit) {
        const oldest = recent[count - bucket.limit] ?? now;
        return { allowed: false, bucket, retryAfterMs: oldest + bucket.windowMs - now };
      }
    }
    for (const { bucket, recent } of windows) {
      // A new window starts as a one-element array: `[].push` would reserve 17 slots, and
      // most recipients are texted once per window.
      if (recent) recent.push(now);
      else this.hits.set(bucket.key, { windowMs: bucket.windowMs, times: [now] });
    }
    return { allowed: true };
  }

  async claimDuplicate(key: string, windowMs: number, now: number): Promise<DuplicateClaim> {
    const existing = this.duplicates.get(key);
    if (existing && existing.expiresAt > now)
      return { claimed: false, messageId: existing.messageId };
    this.sweep(now);
    this.duplicates.set(key, { messageId: undefined, expiresAt: now + windowMs });
    return { claimed: true };
  }

  async settleDuplicate(key: string, messageId: string | undefined, _now: number): Promise<void> {
    const entry = this.duplicates.get(key);
    if (!entry) return;
    if (messageId === undefined) this.duplicates.delete(key);
    else entry.messageId = messageId;
  }

  /**
   * Drops what has aged out, so memory stays flat however long the server runs. A sweep visits
   * every entry, and the next one waits as many calls as there are entries: O(1) per call.
   */
  private sweep(now: number): void {
    this.calls += 1;
    if (this.calls < this.nextSweepAt) return;
    for (const [key, entry] of this.duplicates) {
      if (entry.expiresAt <= now) this.duplicates.delete(key);
    }
    for (const [key, { windowMs, times }] of this.hits) {
      if ((times.at(-1) ?? 0) <= now - windowMs) this.hits.delete(key);
    }
    this.nextSweepAt = this.calls + Math.max(SWEEP_EVERY, this.duplicates.size + this.hits.size);
  }
}
