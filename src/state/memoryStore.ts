import type {
  ClaimDecision,
  ClaimRequest,
  GuardrailStore,
  RateBucket,
} from "../sms/ports/store.js";

const SWEEP_EVERY = 256;

/** The store for one process: sliding windows as timestamp lists, pruned as they age. */
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

  async claim({ duplicate, buckets }: ClaimRequest, now: number): Promise<ClaimDecision> {
    this.sweep(now);
    if (duplicate) {
      const held = this.duplicates.get(duplicate.key);
      if (held && held.expiresAt > now) return { kind: "duplicate", messageId: held.messageId };
    }
    const windows = buckets.map((bucket) => ({ bucket, recent: this.recent(bucket, now) }));
    for (const { bucket, recent } of windows) {
      const count = recent?.length ?? 0;
      if (bucket.limit <= 0) return { kind: "rate_limited", bucket, retryAfterMs: undefined };
      if (recent && count >= bucket.limit) {
        const oldest = recent[count - bucket.limit] ?? now;
        return { kind: "rate_limited", bucket, retryAfterMs: oldest + bucket.windowMs - now };
      }
    }
    for (const { bucket, recent } of windows) {
      // A new window starts as a one-element array (most recipients are texted once per
      // window; an empty array's first push reserves room for many).
      if (recent) recent.push(now);
      else this.hits.set(bucket.key, { windowMs: bucket.windowMs, times: [now] });
    }
    if (duplicate) {
      this.duplicates.set(duplicate.key, {
        messageId: undefined,
        expiresAt: now + duplicate.windowMs,
      });
    }
    return { kind: "claimed" };
  }

  async settle(duplicateKey: string, messageId: string | undefined, _now: number): Promise<void> {
    const entry = this.duplicates.get(duplicateKey);
    if (!entry) return;
    if (messageId === undefined) this.duplicates.delete(duplicateKey);
    else entry.messageId = messageId;
  }

  /** The bucket's times still inside its window (appended in order: aged ones are in front). */
  private recent(bucket: RateBucket, now: number): number[] | undefined {
    const times = this.hits.get(bucket.key)?.times;
    if (!times) return undefined;
    let aged = 0;
    while (aged < times.length && (times[aged] ?? 0) <= now - bucket.windowMs) aged += 1;
    if (aged > 0) times.splice(0, aged);
    return times;
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
