import { asSmsError, SmsError } from "./errors.js";
import { describeWindow, rateBuckets, rateLimitError } from "./guardrails/rateLimit.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import type { ClaimDecision, EarlierAttempt, GuardrailStore, Settlement } from "./ports/store.js";
import type { ValidSend } from "./validate.js";

/**
 * How a send this process made ended (its message id, or its error): the ledger settles it,
 * and identical sends that waited for it share it. `EarlierAttempt` is the ledger's view of an
 * identical attempt from any process.
 */
export type SendEnding = { messageId: string | undefined } | { error: SmsError };

/** What the claim step decided; only a `new` claim goes on to the provider. */
export type Claim =
  | { kind: "new"; attemptId: string; duplicateKey: string | undefined; note?: string }
  /** An identical text was sent within the window. */
  | { kind: "duplicate"; messageId: string | undefined; note?: string }
  /** An identical send is in flight in this process: its answer is shared. */
  | { kind: "in_flight"; earlier: Promise<SendEnding> };

interface Waiting {
  promise: Promise<SendEnding>;
  resolve(earlier: SendEnding): void;
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
  /**
   * Asks the provider whether an identical text went out since a time: its message id, or
   * undefined. Absent where the provider cannot list recent messages.
   */
  findSent?: ((send: ValidSend, since: number) => Promise<string | undefined>) | undefined;
  /** The provider's name in sentences. */
  providerTitle: string;
}

/**
 * An earlier attempt the provider has no record of this long after it started certainly did
 * not reach it (a message a provider takes is listed from the moment it is taken).
 */
const NOT_FOUND_AFTER_MS = 10_000;

type Settled = { kind: "sent"; messageId: string } | { kind: "not_sent" } | { kind: "cannot_tell" };

const PENDING_POLL_MS = 100;

/** HH:MM in UTC. */
function clock(time: number): string {
  return new Date(time).toISOString().slice(11, 16);
}

/** The model's answer when an identical text may already have reached the person. */
function unconfirmed(earlier: EarlierAttempt, windowSeconds: number): SmsError {
  const when = clock(earlier.at);
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
  /**
   * Claims whose answer never came back (the store may have recorded them) and that could not
   * be released yet. None reached the provider: an identical send that finds one releases it
   * and claims anew, instead of waiting for it and calling it unconfirmed.
   */
  private readonly unanswered = new Map<string, number>();

  constructor(private readonly options: SendClaimsOptions) {}

  /** What makes two sends identical: the same connection, recipient, sender and text. */
  identityOf(send: ValidSend): string {
    return `${this.options.connectionId}\n${send.to}\n${send.from}\n${send.bodySha256}`;
  }

  /** The send's duplicate key, or undefined where duplicates are not checked (a window of 0). */
  private duplicateKeyOf(send: ValidSend): string | undefined {
    return this.options.guardrails.duplicateWindowSeconds > 0 ? this.identityOf(send) : undefined;
  }

  /**
   * What the claim would make of this send, looked at before the person is asked, recording
   * nothing (the claim still decides):
   * - `sent`: an identical text was sent within the duplicate window (or is in flight in this
   *   process, whose answer the claim will share): answered as a duplicate, unasked;
   * - `open`: an identical attempt holds the text with its outcome still open: the claim
   *   follows it (a duplicate, `unconfirmed`, or a new claim), so the person is asked first;
   * - a refusal: the rate limits would refuse it (only when no identical attempt holds the
   *   text: one that does answers before the buckets);
   * - undefined: nothing stands in the way.
   * A store that cannot say who holds the text counts as no one.
   * @throws {SmsError} `unavailable` when the store cannot be asked about the rate limits.
   */
  async lookBeforeAsking(send: ValidSend): Promise<"sent" | "open" | SmsError | undefined> {
    const { store, connectionId, guardrails, now } = this.options;
    const key = this.duplicateKeyOf(send);
    if (key !== undefined) {
      if (this.inFlight.has(key)) return "sent";
      const earlier = await store.earlier?.(key, now()).catch(() => undefined);
      if (earlier) return earlier.state === "sent" ? "sent" : "open";
    }
    if (!store.rateRefusal) return undefined;
    const buckets = rateBuckets(connectionId, send.to, guardrails);
    const refusal = await store.rateRefusal(buckets, now()).catch(ledgerUnreachable);
    return refusal && rateLimitError(refusal);
  }

  /** Throws a refusal (rate limit, unconfirmed earlier send); otherwise says what to do. */
  async claim(send: ValidSend): Promise<Claim> {
    const windowSeconds = this.options.guardrails.duplicateWindowSeconds;
    const duplicateKey = this.duplicateKeyOf(send);
    if (duplicateKey !== undefined) {
      const earlier = this.inFlight.get(duplicateKey);
      if (earlier) return { kind: "in_flight", earlier: earlier.promise };
      // Registered before the first await, so an identical call in the same turn joins it.
      this.openInFlight(duplicateKey);
    }
    try {
      // Step 1: the store decides. Step 2, only when an identical earlier attempt holds the
      // text: what became of it decides, and at most one more claim is made.
      const { attemptId, decision } = await this.decideOnce(send, duplicateKey, windowSeconds);
      if (decision.kind !== "duplicate") return this.claimed(attemptId, decision, duplicateKey);
      // A duplicate needs a key: without one, no earlier attempt can hold the text.
      if (duplicateKey === undefined) throw unconfirmed(decision.earlier, windowSeconds);
      return await this.followEarlier(send, decision.earlier, duplicateKey, windowSeconds);
    } catch (error) {
      this.closeInFlight(duplicateKey, { error: asSmsError(error) });
      throw error;
    }
  }

  /**
   * One decision of the store for a new attempt. An earlier claim of this process whose answer
   * was lost (it never reached the provider) is released first and the store asked again.
   */
  private async decideOnce(
    send: ValidSend,
    duplicateKey: string | undefined,
    windowSeconds: number,
  ): Promise<{ attemptId: string; decision: ClaimDecision }> {
    let attemptId = this.options.newAttemptId();
    let decision = await this.decide(send, attemptId, duplicateKey, windowSeconds);
    if (
      decision.kind === "duplicate" &&
      duplicateKey !== undefined &&
      this.unanswered.has(decision.earlier.attemptId)
    ) {
      await this.release(decision.earlier.attemptId, duplicateKey);
      attemptId = this.options.newAttemptId();
      decision = await this.decide(send, attemptId, duplicateKey, windowSeconds);
    }
    return { attemptId, decision };
  }

  /** A decision that is not a duplicate: a refusal, or the new attempt to send. */
  private claimed(
    attemptId: string,
    decision: Exclude<ClaimDecision, { kind: "duplicate" }>,
    duplicateKey: string | undefined,
    note?: string,
  ): Claim {
    if (decision.kind === "rate_limited") throw rateLimitError(decision);
    return { kind: "new", attemptId, duplicateKey, note };
  }

  /**
   * An identical earlier attempt holds the text: sent is a duplicate; unknown is asked of the
   * provider where it can tell (sent: a duplicate; never reached it: claimed once more);
   * anything still open is unconfirmed.
   */
  private async followEarlier(
    send: ValidSend,
    earlier: EarlierAttempt,
    duplicateKey: string,
    windowSeconds: number,
  ): Promise<Claim> {
    if (earlier.state === "sent") return this.duplicateOf(duplicateKey, earlier.messageId);
    if (earlier.state === "unknown") {
      const settled = await this.settleUnknown(send, earlier, duplicateKey);
      const when = clock(earlier.at);
      const title = this.options.providerTitle;
      if (settled.kind === "sent") {
        const note = `${title} confirms that the identical text handed to it at ${when} UTC went out`;
        return this.duplicateOf(duplicateKey, settled.messageId, note);
      }
      if (settled.kind === "not_sent") {
        const again = await this.decideOnce(send, duplicateKey, windowSeconds);
        if (again.decision.kind !== "duplicate") {
          const note = `an identical attempt at ${when} UTC never reached ${title} (it has no record of it), so this text was sent`;
          return this.claimed(again.attemptId, again.decision, duplicateKey, note);
        }
        // Another process claimed it in between: its attempt is the one to follow, once.
        const next = again.decision.earlier;
        if (next.state === "sent") return this.duplicateOf(duplicateKey, next.messageId);
        throw unconfirmed(next, windowSeconds);
      }
    }
    throw unconfirmed(earlier, windowSeconds);
  }

  private duplicateOf(duplicateKey: string, messageId: string | undefined, note?: string): Claim {
    this.closeInFlight(duplicateKey, { messageId });
    return { kind: "duplicate", messageId, note };
  }

  /**
   * After a `new` claim: the ledger records how it ended, and the sends that waited here get
   * the answer.
   */
  async settle(claim: Claim, earlier: SendEnding): Promise<void> {
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

  /**
   * Where the provider can list recent messages, settles an earlier attempt whose outcome was
   * unknown: sent (with its id), or certainly not sent once enough time has passed.
   */
  private async settleUnknown(
    send: ValidSend,
    earlier: EarlierAttempt,
    duplicateKey: string,
  ): Promise<Settled> {
    const { findSent, store, now } = this.options;
    if (!findSent) return { kind: "cannot_tell" };
    let found: string | undefined;
    try {
      found = await findSent(send, earlier.at);
    } catch {
      return { kind: "cannot_tell" };
    }
    if (found !== undefined) {
      // The provider's word stands even where the ledger cannot take it now: the next
      // identical call asks the provider again.
      await store
        .settle(earlier.attemptId, duplicateKey, { outcome: "sent", messageId: found }, now())
        .catch(() => undefined);
      return { kind: "sent", messageId: found };
    }
    if (now() - earlier.at < NOT_FOUND_AFTER_MS) return { kind: "cannot_tell" };
    // Freeing the text for a new claim needs the ledger: unreachable, nothing is sent.
    await store
      .settle(earlier.attemptId, duplicateKey, { outcome: "failed" }, now())
      .catch(ledgerUnreachable);
    return { kind: "not_sent" };
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
        // The claim may have reached the store while its answer did not: released, it holds
        // nothing back, and "nothing was sent, try again" stays true.
        if (request.duplicate) {
          this.noteUnanswered(attemptId, now() + request.duplicate.windowMs);
          await this.release(attemptId, request.duplicate.key).catch(() => undefined);
        }
        ledgerUnreachable(error);
      }
      const pending =
        decision.kind === "duplicate" &&
        decision.earlier.state === "pending" &&
        !this.unanswered.has(decision.earlier.attemptId);
      if (!pending || now() >= deadline) return decision;
      await sleep(PENDING_POLL_MS);
    }
  }

  /** Noted until the claim's window ends (then the store has let it go too). */
  private noteUnanswered(attemptId: string, until: number): void {
    const now = this.options.now();
    for (const [id, expiresAt] of this.unanswered) if (expiresAt <= now) this.unanswered.delete(id);
    this.unanswered.set(attemptId, until);
  }

  /**
   * Frees the duplicate key of a claim of this process that never reached the provider.
   * @throws {SmsError} `unavailable` when the store cannot be told; the claim stays noted.
   */
  private async release(attemptId: string, duplicateKey: string): Promise<void> {
    await this.options.store
      .settle(attemptId, duplicateKey, { outcome: "failed" }, this.options.now())
      .catch(ledgerUnreachable);
    this.unanswered.delete(attemptId);
  }

  private openInFlight(key: string): void {
    let resolve: (earlier: SendEnding) => void = () => undefined;
    const promise = new Promise<SendEnding>((done) => {
      resolve = done;
    });
    this.inFlight.set(key, { promise, resolve });
  }

  private closeInFlight(key: string | undefined, earlier: SendEnding): void {
    if (key === undefined) return;
    const waiting = this.inFlight.get(key);
    if (!waiting) return;
    this.inFlight.delete(key);
    waiting.resolve(earlier);
  }
}

/**
 * How every step that needs the ledger fails when the store throws: the refusal below (an
 * SmsError the store threw stands as it is).
 */
export function ledgerUnreachable(error: unknown): never {
  throw error instanceof SmsError ? error : stateUnavailable();
}

/** The ledger could not be read or written: nothing is sent that could not be recorded. */
function stateUnavailable(): SmsError {
  return new SmsError({
    category: "unavailable",
    reason:
      "the send ledger cannot be reached, so nothing was sent (a text that cannot be recorded could be sent twice); try again in a moment",
    retryable: true,
    certainlyNotSent: true,
  });
}
