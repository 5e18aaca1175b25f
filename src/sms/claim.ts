import { asSmsError, type SmsError } from "./errors.js";
import { rateBuckets, rateLimitError } from "./guardrails/rateLimit.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import type { GuardrailStore } from "./ports/store.js";
import type { ValidSend } from "./validate.js";

/** How an identical send that went first ended, as the sends that waited for it see it. */
export type EarlierSend = { messageId: string | undefined } | { error: SmsError };

/** What the claim step decided; only a `new` claim goes on to the provider. */
export type Claim =
  | { kind: "new"; duplicateKey: string | undefined }
  /** An identical text was sent (or is in flight on another server) within the window. */
  | { kind: "duplicate"; messageId: string | undefined }
  /** An identical send is in flight in this process: its answer is shared. */
  | { kind: "in_flight"; earlier: Promise<EarlierSend> };

interface Waiting {
  promise: Promise<EarlierSend>;
  resolve(earlier: EarlierSend): void;
}

/**
 * Duplicates and rate limits, decided together: identical sends in flight here are joined,
 * then the store atomically checks the duplicate window and every rate bucket.
 */
export class SendClaims {
  private readonly inFlight = new Map<string, Waiting>();

  constructor(
    private readonly store: GuardrailStore,
    private readonly connectionId: string,
    private readonly guardrails: GuardrailSettings,
  ) {}

  /** Throws the rate-limit refusal; otherwise says whether this send goes to the provider. */
  async claim(send: ValidSend, now: number): Promise<Claim> {
    const windowSeconds = this.guardrails.duplicateWindowSeconds;
    const duplicateKey =
      windowSeconds > 0
        ? `${this.connectionId}\n${send.to}\n${send.from}\n${send.bodySha256}`
        : undefined;
    if (duplicateKey !== undefined) {
      const earlier = this.inFlight.get(duplicateKey);
      if (earlier) return { kind: "in_flight", earlier: earlier.promise };
      // Registered before the first await, so an identical call in the same turn joins it.
      this.openInFlight(duplicateKey);
    }
    try {
      const decision = await this.store.claim(
        {
          duplicate: duplicateKey
            ? { key: duplicateKey, windowMs: windowSeconds * 1000 }
            : undefined,
          buckets: rateBuckets(this.connectionId, send.to, this.guardrails),
        },
        now,
      );
      if (decision.kind === "rate_limited") throw rateLimitError(decision);
      if (decision.kind === "duplicate") {
        this.closeInFlight(duplicateKey, { messageId: decision.messageId });
        return decision;
      }
      return { kind: "new", duplicateKey };
    } catch (error) {
      this.closeInFlight(duplicateKey, { error: asSmsError(error) });
      throw error;
    }
  }

  /**
   * After a `new` claim: the message id is kept under the duplicate key, or the key is
   * released when nothing was sent, and the sends that waited get the answer.
   */
  async settle(claim: Claim, earlier: EarlierSend, now: number): Promise<void> {
    if (claim.kind !== "new" || claim.duplicateKey === undefined) return;
    this.closeInFlight(claim.duplicateKey, earlier);
    const messageId = "error" in earlier ? undefined : earlier.messageId;
    await this.store.settle(claim.duplicateKey, messageId, now);
  }

  private openInFlight(key: string): void {
    let resolve: (earlier: EarlierSend) => void = () => undefined;
    const promise = new Promise<EarlierSend>((done) => {
      resolve = done;
    });
    this.inFlight.set(key, { promise, resolve });
  }

  private closeInFlight(key: string | undefined, earlier: EarlierSend): void {
    if (key === undefined) return;
    const waiting = this.inFlight.get(key);
    if (!waiting) return;
    this.inFlight.delete(key);
    waiting.resolve(earlier);
  }
}
