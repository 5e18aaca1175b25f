import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ResolvedConnection } from "../config/connection.js";
import { type Logger, maskNumber } from "../log/logger.js";
import type { SendReceipt, SmsProvider } from "../providers/types.js";
import type { AuditLog, AuditOutcome, AuditRecord } from "./audit/auditLog.js";
import { SmsError } from "./errors.js";
import { policyRefusal } from "./guardrails/policy.js";
import { describeWindow, rateBuckets, rateLimitError } from "./guardrails/rateLimit.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import type { GuardrailStore } from "./guardrails/store.js";
import { countSegments } from "./segments.js";
import type { ValidSend } from "./sendRequest.js";
import type { SendDetails, SendOutcome } from "./sendResult.js";

/** Resending is safe only when the provider certainly did not take the message. */
const MAX_ATTEMPTS = 2;
const RETRY_DELAY_MS = 500;
const MAX_RETRY_WAIT_SECONDS = 2;

type Validation = typeof import("./sendRequest.js");
let validation: Promise<Validation> | undefined;
let loadedValidation: Validation | undefined;
/** Number parsing (libphonenumber metadata) loads on the first send, or during warm-up. */
const loadValidation = () => {
  validation ??= import("./sendRequest.js").then((module) => {
    loadedValidation = module;
    return module;
  });
  return validation;
};

const LINK = /\bhttps?:\/\/|\bwww\.[a-z0-9-]+\.[a-z]/i;
const LINK_NOTE =
  "the text contains a link: carriers may silently filter links from senders without A2P 10DLC registration, even though the provider answers sent";

export interface SmsServiceOptions {
  connection: ResolvedConnection;
  createProvider: (connection: ResolvedConnection) => Promise<SmsProvider>;
  logger: Logger;
  guardrails: GuardrailSettings;
  store: GuardrailStore;
  audit: AuditLog;
  now?: () => number;
}

function asSmsError(error: unknown): SmsError {
  if (error instanceof SmsError) return error;
  // Anything else may carry SDK internals (request config, headers): never show its text.
  return new SmsError({
    category: "unknown",
    reason: "an unexpected error stopped the send; it was not confirmed by the provider",
    retryable: false,
  });
}

/** validate → guardrails → provider (with safe retry) → audit → result. One per connection. */
export class SmsService {
  private providerPromise: Promise<SmsProvider> | undefined;
  private readonly inFlight = new Map<string, Promise<SendOutcome>>();
  private readonly active = new Set<Promise<unknown>>();
  private readonly now: () => number;
  private warmedUp = false;

  constructor(private readonly options: SmsServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  get connection(): ResolvedConnection {
    return this.options.connection;
  }

  provider(): Promise<SmsProvider> {
    if (!this.providerPromise) {
      const pending = this.options.createProvider(this.options.connection);
      this.providerPromise = pending;
      // A failed start (locked keychain, say) must not stick: the next send tries again.
      pending.catch(() => {
        if (this.providerPromise === pending) this.providerPromise = undefined;
      });
    }
    return this.providerPromise;
  }

  /** Loads the provider SDK, credentials and number metadata off the critical path. */
  warmUp(): void {
    if (this.warmedUp) return;
    this.warmedUp = true;
    void loadValidation();
    if (this.options.guardrails.dryRun) return;
    this.provider().catch((error: unknown) => {
      this.options.logger.warn({ reason: asSmsError(error).reason }, "provider not ready yet");
    });
  }

  /** Resolves once every send that has started has answered (for a graceful shutdown). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  send(args: unknown): Promise<SendOutcome> {
    const work = this.sendTracked(args);
    this.active.add(work);
    void work.finally(() => this.active.delete(work));
    return work;
  }

  // The details objects on the send path are written out in full rather than spread: on a
  // warm server each object spread cost about 5 µs, a visible share of a send's overhead.
  private async sendTracked(args: unknown): Promise<SendOutcome> {
    const { connection, guardrails } = this.options;
    const { validateSend, callingCodesOf } = loadedValidation ?? (await loadValidation());
    let valid: ValidSend;
    try {
      valid = validateSend(args, connection.defaultFrom);
    } catch (error) {
      const asGiven: SendDetails = {
        status: "failed",
        provider: connection.provider,
        connection: connection.label,
        to: stringField(args, "to_"),
        from: stringField(args, "from_") ?? connection.defaultFrom ?? null,
      };
      return this.finish(this.fail(asGiven, asSmsError(error)), "refused", undefined);
    }
    const { encoding, segments } = countSegments(valid.body);
    const details: SendDetails = {
      status: "failed",
      provider: connection.provider,
      connection: connection.label,
      to: valid.to,
      from: valid.from,
      segments,
      encoding,
      notes: LINK.test(valid.body) ? [LINK_NOTE] : undefined,
    };

    const refusal = policyRefusal(guardrails, valid, segments, encoding, callingCodesOf);
    if (refusal) return this.finish(this.fail(details, refusal), "refused", valid);

    if (guardrails.duplicateWindowSeconds <= 0) return this.sendOnce(valid, details, undefined);
    const key = `${connection.id}\n${valid.to}\n${valid.from}\n${valid.bodySha256}`;
    const earlier = this.inFlight.get(key);
    if (earlier) return this.duplicateOf(await earlier, details, valid);
    const work = this.sendOnce(valid, details, key);
    this.inFlight.set(key, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async rateRefusal(to: string): Promise<SmsError | undefined> {
    const { guardrails, store, connection } = this.options;
    const decision = await store.consume(rateBuckets(connection.id, to, guardrails), this.now());
    return decision.allowed ? undefined : rateLimitError(decision);
  }

  private async sendOnce(
    valid: ValidSend,
    details: SendDetails,
    key: string | undefined,
  ): Promise<SendOutcome> {
    const { store, guardrails } = this.options;
    if (key) {
      const claim = await store.claimDuplicate(
        key,
        guardrails.duplicateWindowSeconds * 1000,
        this.now(),
      );
      if (!claim.claimed) {
        return this.duplicateOf(
          { ok: true, details: { ...details, messageId: claim.messageId } },
          details,
          valid,
        );
      }
    }
    let messageId: string | undefined;
    try {
      const limited = await this.rateRefusal(valid.to);
      if (limited) return this.finish(this.fail(details, limited), "refused", valid);
      if (guardrails.dryRun) {
        messageId = `dryrun-${randomUUID()}`;
        return this.finish(
          { ok: true, details: { ...details, status: "dry_run", messageId } },
          "dry_run",
          valid,
        );
      }
      const receipt = await this.sendWithSafeRetry(await this.provider(), valid);
      messageId = receipt.messageId;
      return this.finish(this.sent(details, receipt), "sent", valid);
    } catch (error) {
      return this.finish(this.fail(details, asSmsError(error)), "failed", valid);
    } finally {
      if (key) await store.settleDuplicate(key, messageId, this.now());
    }
  }

  private sent(details: SendDetails, receipt: SendReceipt): SendOutcome {
    // Debug, not info: the audit log is the record of sends; this is for following one live.
    const { logger } = this.options;
    if (logger.isLevelEnabled("debug")) {
      logger.debug(
        {
          provider: details.provider,
          to: maskNumber(details.to ?? undefined),
          messageId: receipt.messageId,
        },
        "sms sent",
      );
    }
    return {
      ok: true,
      details: {
        status: "sent",
        provider: details.provider,
        connection: details.connection,
        to: details.to,
        from: details.from,
        messageId: receipt.messageId,
        providerStatus: receipt.status,
        segments: receipt.segments ?? details.segments,
        encoding: receipt.encoding ?? details.encoding,
        notes: details.notes,
      },
    };
  }

  /** An identical text already went (or is going) out: answer as sent, and say so. */
  private duplicateOf(
    earlier: SendOutcome,
    details: SendDetails,
    valid: ValidSend,
  ): Promise<SendOutcome> {
    if (!earlier.ok) return this.finish(earlier, "failed", valid);
    const outcome: SendOutcome = {
      ok: true,
      details: {
        ...details,
        status: "duplicate",
        duplicateOf: earlier.details.messageId,
        notes: [
          ...(details.notes ?? []),
          `an identical text to this recipient was already sent in the last ${describeWindow(this.options.guardrails.duplicateWindowSeconds)}, so it was not sent again`,
        ],
      },
    };
    return this.finish(outcome, "duplicate", valid);
  }

  private async sendWithSafeRetry(provider: SmsProvider, valid: ValidSend) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await provider.send({ to: valid.to, from: valid.from, body: valid.body });
      } catch (error) {
        const smsError = asSmsError(error);
        const wait = smsError.retryAfterSeconds;
        const canRetry =
          smsError.notAccepted &&
          attempt < MAX_ATTEMPTS &&
          (wait === undefined || wait <= MAX_RETRY_WAIT_SECONDS);
        if (!canRetry) throw smsError;
        await sleep(wait !== undefined ? wait * 1000 : RETRY_DELAY_MS);
      }
    }
  }

  private fail(details: SendDetails, error: SmsError): SendOutcome {
    this.options.logger.warn(
      {
        provider: details.provider,
        to: maskNumber(details.to ?? undefined),
        category: error.category,
        providerCode: error.providerCode,
      },
      "sms not sent",
    );
    return {
      ok: false,
      reason: error.reason,
      details: {
        ...details,
        status: "failed",
        error: {
          category: error.category,
          reason: error.reason,
          retryable: error.retryable,
          providerCode: error.providerCode,
          retryAfterSeconds: error.retryAfterSeconds,
        },
      },
    };
  }

  /** Records the attempt before the answer goes back; a failing audit write is logged, not fatal. */
  private async finish(
    outcome: SendOutcome,
    kind: AuditOutcome,
    valid: ValidSend | undefined,
  ): Promise<SendOutcome> {
    const { details } = outcome;
    const { connection, guardrails, audit, logger } = this.options;
    const record: AuditRecord = {
      time: new Date(this.now()).toISOString(),
      connection: connection.label,
      provider: connection.provider,
      to: details.to,
      from: details.from,
      segments: details.segments ?? null,
      encoding: details.encoding ?? null,
      outcome: kind,
      errorCategory: details.error?.category ?? null,
      messageId: details.messageId ?? details.duplicateOf ?? null,
      bodySha256: valid?.bodySha256 ?? null,
    };
    if (guardrails.auditBodies && valid) record.body = valid.body;
    try {
      await audit.append(record);
    } catch (error) {
      logger.error(
        { code: (error as NodeJS.ErrnoException).code },
        "could not write the audit log",
      );
    }
    return outcome;
  }
}

function stringField(args: unknown, key: string): string | null {
  if (typeof args !== "object" || args === null) return null;
  const value = (args as Record<string, unknown>)[key];
  return typeof value === "string" ? value.slice(0, 64) : null;
}
