import { randomUUID } from "node:crypto";
import { setTimeout as sleepFor } from "node:timers/promises";
import { type Claim, type EarlierSend, SendClaims } from "./claim.js";
import { deliver } from "./deliver.js";
import { asSmsError } from "./errors.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import { Lazy } from "./lazy.js";
import { maskNumber } from "./mask.js";
import { notesFor } from "./notes.js";
import { type Attempt, auditRecordOf, buildOutcome, type Delivered } from "./outcome.js";
import { checkPolicy } from "./policy.js";
import type { AuditSink } from "./ports/audit.js";
import type { SendLogger } from "./ports/logger.js";
import type { SmsProvider } from "./ports/provider.js";
import type { GuardrailStore } from "./ports/store.js";
import { countSegments } from "./segments.js";
import type { SendIdentity } from "./sendIdentity.js";
import type { SendOutcome } from "./sendResult.js";

export interface SmsServiceOptions {
  connection: SendIdentity;
  guardrails: GuardrailSettings;
  provider: SmsProvider;
  store: GuardrailStore;
  audit: AuditSink;
  logger: SendLogger;
  /** Milliseconds since the epoch. Default: `Date.now`. */
  now?: () => number;
  /** Waits before the one safe resend. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * One send, top to bottom: validate → policy → claim (duplicates and rates together) →
 * deliver → settle, then one outcome built and recorded. One service per connection.
 */
export class SmsService {
  readonly connection: SendIdentity;
  // Number metadata (libphonenumber) is large: it loads on the first send, or at warm-up.
  private readonly validation = new Lazy(() => import("./validate.js"));
  private readonly claims: SendClaims;
  private readonly active = new Set<Promise<SendOutcome>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private warmedUp = false;

  constructor(private readonly options: SmsServiceOptions) {
    this.connection = options.connection;
    this.claims = new SendClaims(options.store, options.connection.id, options.guardrails);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms));
  }

  /** Loads the number metadata and the provider ahead of the first send. */
  warmUp(): void {
    if (this.warmedUp) return;
    this.warmedUp = true;
    void this.validation.get();
    if (this.options.guardrails.dryRun) return;
    this.options.provider.prepare?.().catch((error: unknown) => {
      this.options.logger.warn({ reason: asSmsError(error).reason }, "provider not ready yet");
    });
  }

  /** Resolves once every send that has started has answered (for a graceful shutdown). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  send(args: unknown): Promise<SendOutcome> {
    const sending = this.attempt(args);
    this.active.add(sending);
    void sending.finally(() => this.active.delete(sending));
    return sending;
  }

  private async attempt(args: unknown): Promise<SendOutcome> {
    const { connection, guardrails } = this.options;
    const { validateSend, callingCodesOf } = this.validation.value ?? (await this.validation.get());
    const attempt: Attempt = {
      connection,
      args,
      duplicateWindowSeconds: guardrails.duplicateWindowSeconds,
    };
    let claim: Claim | undefined;
    try {
      const send = validateSend(args, connection.defaultFrom);
      attempt.send = send;
      attempt.segments = countSegments(send.body);
      attempt.notes = notesFor(send.body);
      checkPolicy(guardrails, send, attempt.segments, callingCodesOf);
      claim = await this.claims.claim(send, this.now());
      attempt.delivered = await this.deliverOrJoin(claim, attempt);
    } catch (error) {
      // Before a claim nothing could have reached the provider: the send was refused.
      attempt.failure = { error: asSmsError(error), stage: claim ? "failed" : "refused" };
    } finally {
      if (claim) await this.claims.settle(claim, earlierSendOf(attempt), this.now());
    }
    const outcome = buildOutcome(attempt);
    await this.record(attempt, outcome);
    return outcome;
  }

  private async deliverOrJoin(claim: Claim, attempt: Attempt): Promise<Delivered> {
    switch (claim.kind) {
      case "duplicate":
        return { status: "duplicate", duplicateOf: claim.messageId };
      case "in_flight": {
        const earlier = await claim.earlier;
        if ("error" in earlier) throw earlier.error;
        return { status: "duplicate", duplicateOf: earlier.messageId };
      }
      case "new": {
        if (this.options.guardrails.dryRun) {
          return { status: "dry_run", messageId: `dryrun-${randomUUID()}` };
        }
        const { to, from, body } = attempt.send as NonNullable<Attempt["send"]>;
        const receipt = await deliver(this.options.provider, { to, from, body }, this.sleep);
        return { status: "sent", receipt };
      }
    }
  }

  /** Logs and audits the attempt before the answer goes back; a failing audit write is not fatal. */
  private async record(attempt: Attempt, outcome: SendOutcome): Promise<void> {
    const { logger, audit, guardrails } = this.options;
    const { details } = outcome;
    if (!outcome.ok) {
      logger.warn(
        {
          provider: details.provider,
          to: maskNumber(details.to),
          category: details.error?.category,
          providerCode: details.error?.providerCode,
        },
        "sms not sent",
      );
    } else if (details.status === "sent" && logger.isLevelEnabled("debug")) {
      // Debug, not info: the audit log is the record of sends; this follows one live.
      logger.debug(
        { provider: details.provider, to: maskNumber(details.to), messageId: details.messageId },
        "sms sent",
      );
    }
    try {
      await audit.append(
        auditRecordOf(attempt, outcome, new Date(this.now()), guardrails.auditBodies),
      );
    } catch (error) {
      logger.error(
        { code: (error as NodeJS.ErrnoException).code },
        "could not write the audit log",
      );
    }
  }
}

/** What identical sends waiting on this one are told. */
function earlierSendOf(attempt: Attempt): EarlierSend {
  if (attempt.failure) return { error: attempt.failure.error };
  const delivered = attempt.delivered;
  if (delivered?.status === "sent") return { messageId: delivered.receipt.messageId };
  if (delivered?.status === "dry_run") return { messageId: delivered.messageId };
  return { messageId: delivered?.duplicateOf };
}
