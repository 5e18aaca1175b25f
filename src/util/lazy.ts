/**
 * A module or value made on first use and then kept. A failed make is forgotten, so the next
 * `get()` tries again (a keychain that was locked at the first send may be open now).
 */
export class Lazy<T> {
  private pending: Promise<T> | undefined;
  /** The value once made, for a caller that would rather not wait a turn for it. */
  value: T | undefined;

  constructor(private readonly make: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.pending) {
      const pending = this.make().then((value) => {
        this.value = value;
        return value;
      });
      pending.catch(() => {
        if (this.pending === pending) this.pending = undefined;
      });
      this.pending = pending;
    }
    return this.pending;
  }
}
