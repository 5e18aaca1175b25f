/**
 * Keys seen within their window, in this process: a status callback's signature or nonce, so
 * that a replay of it is refused. Bounded: past `maxKeys`, the oldest key is forgotten first.
 */
export class SeenKeys {
  /** Each key's expiry time; a Map keeps insertion order, so the first entry is the oldest. */
  private readonly expiries = new Map<string, number>();

  /** @param maxKeys How many keys are held at most. Default: 100,000. */
  constructor(private readonly maxKeys = 100_000) {}

  /** True the first time `key` is seen within `windowMs`; false while it is still held. */
  firstSighting(key: string, windowMs: number, now: number): boolean {
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.expiries.delete(key);
    this.expiries.set(key, now + windowMs);
    this.forgetExpired(now);
    return true;
  }

  /** Whether `key` is held now, recording nothing. */
  holds(key: string, now: number): boolean {
    return (this.expiries.get(key) ?? 0) > now;
  }

  private forgetExpired(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (this.expiries.size <= this.maxKeys && expiry > now) return;
      this.expiries.delete(key);
    }
  }
}
