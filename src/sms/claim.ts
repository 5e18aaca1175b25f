import { asSmsError, SmsError } from "./errors.js";
import { describeWindow, rateBuckets, rateLimitError } from "./guardrails/rateLimit.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import type { ClaimDecision, EarlierAttempt, GuardrailStore, Settlement } from "./ports/store.js";
import type { ValidSend } from "./validate.js";

/** How an identical send that went first ended, as the sends that waited for it see it. */
export type EarlierSend = { messageId: string | undefined } | { error: SmsError };

/** What the claim step decided; only a `new` claim goes on to the provider. */
export type Claim =
  | { kind: "new"; attemptId: string; duplicateKey: string | undefined }
  /** An identical text was sent within the window. */
  | { kind: "duplicate"; messageId: string | undefined }
  /** An identical send is in flight in this process: its answer is shared. */
  | { kind: "in_flight"; earlier: Promise<EarlierSend> };

interface Waiting {
  promise: Promise<EarlierSend>;
  resolve(earlier: EarlierSend): void;
}

export interface SendClaimsOptions {
  store: GuardrailStore;
  connectionId: string;
  guardrails: GuardrailSettings;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  newAttemptId: () => string;
  /** How long to wait for an identical send in flight on another process or replica. */
  pendingWaitMs: number;
}

const PENDING_POLL_MS = 100;

/** The model's answer when an identical text may already have reached the person. */
function unconfirmed(earlier: EarlierAttempt, windowSeconds: number): SmsError {
  const when = new Date(earlier.at).toISOString().slice(11, 16);
  const where =
    earlier.state === "pending"
      ? `is still being sent (since ${when} UTC) and has not been confirmed`
      : `was handed to the provider at ${when} UTC, and the provider never confirmed whether it went out`;
  return new SmsError({
    category: "unconfirmed",
    reason: `an identical text to this number ${where}; it may already have arrived, so do not send it again: ask the person whether they got it (the same text is held back for ${describeWindow(windowSeconds)})`,
    retryable: false,
  });
}

/**
 * Duplicates and rate limits, decided together: identical sends in flight here are joined,
 * then the store atomically checks the duplicate window and every rate bucket and records the
 * attempt as pending before the provider is called.
 */
export class SendClaims {
  private readonly inFlight = new Map<string, Waiting>();

  constructor(private readonly options: SendClaimsOptions) {}

  /** Throws a refusal (rate limit, unconfirmed earlier send); otherwise says what to do. */
  async claim(send: ValidSend): Promise<Claim> {
    const { connectionId, guardrails } = this.options;
    const windowSeconds = guardrails.duplicateWindowSeconds;
    const duplicateKey =
      windowSeconds > 0
        ? `${connectionId}\n${send.to}\n${send.from}\n${send.bodySha256}`
        : undefined;
    if (duplicateKey !== undefined) {
      const earlier = this.inFlight.get(duplicateKey);
      if (earlier) return { kind: "in_flight", earlier: earlier.promise };
      // Registered before the first await, so an identical call in the same turn joins it.
      this.openInFlight(duplicateKey);
    }
    try {
      const attemptId = this.options.newAttemptId();
      const decision = await this.decide(send, attemptId, duplicateKey, windowSeconds);
      if (decision.kind === "rate_limited") throw rateLimitError(decision);
      if (decision.kind === "duplicate") {
        const { earlier } = decision;
        if (earlier.state !== "sent") throw unconfirmed(earlier, windowSeconds);
        this.closeInFlight(duplicateKey, { messageId: earlier.messageId });
        return { kind: "duplicate", messageId: earlier.messageId };
      }
      return { kind: "new", attemptId, duplicateKey };
    } catch (error) {
      this.closeInFlight(duplicateKey, { error: asSmsError(error) });
      throw error;
    }
  }

  /**
   * After a `new` claim: the ledger records how it ended, and the sends that waited here get
   * the answer.
   */
  async settle(claim: Claim, earlier: EarlierSend): Promise<void> {
    if (claim.kind !== "new") return;
    this.closeInFlight(claim.duplicateKey, earlier);
    const settlement: Settlement =
      "error" in earlier
        ? { outcome: earlier.error.certainlyNotSent ? "failed" : "unknown" }
        : earlier.messageId === undefined
          ? { outcome: "unknown" }
          : { outcome: "sent", messageId: earlier.messageId };
    await this.options.store.settle(
      claim.attemptId,
      claim.duplicateKey,
      settlement,
      this.options.now(),
    );
  }

  /** The store's decision; an identical send pending elsewhere is waited for (bounded). */
  private async decide(
    send: ValidSend,
    attemptId: string,
    duplicateKey: string | undefined,
    windowSeconds: number,
  ): Promise<ClaimDecision> {
    const { store, connectionId, guardrails, now, sleep, pendingWaitMs } = this.options;
    const request = {
      attemptId,
      duplicate: duplicateKey ? { key: duplicateKey, windowMs: windowSeconds * 1000 } : undefined,
      buckets: rateBuckets(connectionId, send.to, guardrails),
      attempt: { to: send.to, from: send.from, bodySha256: send.bodySha256 },
    };
    const deadline = now() + pendingWaitMs;
    for (;;) {
      let decision: ClaimDecision;
      try {
        decision = await store.claim(request, now());
      } catch (error) {
        throw error instanceof SmsError ? error : stateUnavailable();
      }
      const pending = decision.kind === "duplicate" && decision.earlier.state === "pending";
      if (!pending || now() >= deadline) return decision;
      await sleep(PENDING_POLL_MS);
    }
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

/** The ledger could not be read or written: nothing is sent that could not be recorded. */
export function stateUnavailable(): SmsError {
  return new SmsError({
    category: "unavailable",
    reason:
      "the send ledger cannot be reached, so nothing was sent (a text that cannot be recorded could be sent twice); try again in a moment",
    retryable: true,
    certainlyNotSent: true,
  });
}
