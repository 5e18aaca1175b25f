import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleepFor } from "node:timers/promises";
import { Lazy } from "../util/lazy.js";
import { steadyClock } from "../util/steadyClock.js";
import { askAgain, SendApproval } from "./approval.js";
import { ledgerUnreachable, SendClaims, type SendEnding } from "./claim.js";
import type { Confirmer } from "./confirmation.js";
import type { ConfirmMode } from "./confirmModes.js";
import { asSmsError, SmsError } from "./errors.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import { type CompiledTemplate, compileTemplates } from "./guardrails/templates.js";
import { handOver } from "./handOver.js";
import { maskNumber } from "./mask.js";
import { notesFor } from "./notes.js";
import {
  type Attempt,
  auditRecordOf,
  buildOutcome,
  outcomeOf,
  pendingRecordOf,
} from "./outcome.js";
import { checkPolicy, checkQuietHours } from "./policy.js";
import type { AuditRecord, AuditSink } from "./ports/audit.js";
import type { SendLogger } from "./ports/logger.js";
import { NO_METRICS, type SendMetrics } from "./ports/metrics.js";
import type { SmsProvider, StatusCallback } from "./ports/provider.js";
import type { GuardrailStore } from "./ports/store.js";
import { NO_TRACER, type SendTracer, type TraceParent } from "./ports/tracer.js";
import { PROVIDER_TITLES } from "./providerNames.js";
import { countSegments } from "./segments.js";
import type { SendIdentity } from "./sendIdentity.js";
import type { AwaitingPerson, SendOutcome } from "./sendResult.js";
import {
  type ApprovedSend,
  type CheckedSend,
  type ClaimedSend,
  confirmedByOf,
  type Delivered,
  type Ending,
  type FailureStage,
  type Reached,
  type ValidatedSend,
} from "./sendStages.js";
import { sightingsOf } from "./sightings.js";
import { type CallbackReceipt, StatusCallbackInbox } from "./statusCallbacks.js";
import { timedStore } from "./timedStore.js";

export interface SmsServiceOptions {
  connection: SendIdentity;
  guardrails: GuardrailSettings;
  provider: SmsProvider;
  /** The send ledger and guardrail state. */
  store: GuardrailStore;
  audit: AuditSink;
  logger: SendLogger;
  /**
   * Milliseconds since the epoch, for the send ledger's windows and the audit's times.
   * Default: the ledger on {@link steadyClock} (a wall-clock step inside a running process
   * moves no window), the audit on `Date.now`.
   */
  now?: () => number;
  /** Waits before the one safe resend, and between looks at a pending send. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** A new id for each attempt. Default: a random UUID. */
  newAttemptId?: () => string;
  /**
   * Where the connection's sends are counted and timed.
   * @default NO_METRICS (nothing collected: stdio and the CLI)
   */
  metrics?: SendMetrics | undefined;
  /**
   * Where each send's spans go: the call's, and one per step.
   * @default NO_TRACER (OpenTelemetry not configured)
   */
  tracer?: SendTracer | undefined;
  /**
   * Seals the state of a confirmation form between its two calls. Default: a key generated once
   * and kept by the store, so every replica sharing the store agrees on it.
   */
  confirmKey?: Uint8Array | undefined;
  /**
   * How long an identical send in flight on another process or replica is waited for before
   * the call answers "unconfirmed". Default: 30 s.
   */
  pendingWaitMs?: number;
}

/** How the connection has each text approved (DESIGN §16), for the serving layer that asks. */
export interface ConfirmationSettings {
  mode: ConfirmMode;
  /** How long the person has to answer a form shown during the call. */
  timeoutSeconds: number;
  /** How long a form's sealed state, or a read-back, stays good. */
  windowSeconds: number;
}

/** The rules on what may be texted and when, which the tool's description tells the model. */
export type ContentPolicy = Pick<
  GuardrailSettings,
  "templates" | "templatesOnly" | "allowedLinkDomains" | "quietHours"
>;

/**
 * One send, top to bottom: validate → policy → (with a confirmer) the person's approval →
 * claim (duplicates and rates together, recorded before the provider is called) → hand over,
 * then one outcome built, counted, recorded and answered while the ledger settles the claim.
 * One service per connection.
 */
export class SmsService {
  readonly connection: SendIdentity;
  readonly contentPolicy: ContentPolicy;
  readonly confirmation: ConfirmationSettings;
  private readonly confirmKey: Lazy<Uint8Array>;
  // Number metadata (libphonenumber) is large: it loads on the first send, or at warm-up.
  private readonly validation = new Lazy(() => import("./validate.js"));
  // Time-zone data: only for a connection with quiet hours.
  private readonly timeZones = new Lazy(() => import("./timeZones.js"));
  private readonly templates: readonly CompiledTemplate[];
  private readonly claims: SendClaims;
  private readonly callbacks: StatusCallbackInbox;
  private readonly active = new Set<Promise<unknown>>();
  /** The audit record's time. */
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly approval: SendApproval;
  private readonly metrics: SendMetrics;
  private readonly tracer: SendTracer;
  private warmedUp = false;

  constructor(private readonly options: SmsServiceOptions) {
    this.metrics = options.metrics ?? NO_METRICS;
    this.tracer = options.tracer ?? NO_TRACER;
    const store = options.metrics ? timedStore(options.store, options.metrics) : options.store;
    this.connection = options.connection;
    this.templates = compileTemplates(options.guardrails.templates);
    const { templates, templatesOnly, allowedLinkDomains, quietHours } = options.guardrails;
    this.contentPolicy = { templates, templatesOnly, allowedLinkDomains, quietHours };
    const { confirm, confirmTimeoutSeconds, confirmWindowSeconds } = options.guardrails;
    this.confirmation = {
      mode: confirm,
      timeoutSeconds: confirmTimeoutSeconds,
      windowSeconds: confirmWindowSeconds,
    };
    this.confirmKey = new Lazy(async () => options.confirmKey ?? keptConfirmKey(options.store));
    this.now = options.now ?? Date.now;
    const windowNow = options.now ?? steadyClock();
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms));
    this.claims = new SendClaims({
      store,
      connectionId: options.connection.id,
      guardrails: options.guardrails,
      now: windowNow,
      sleep: this.sleep,
      newAttemptId: options.newAttemptId ?? randomUUID,
      pendingWaitMs: options.pendingWaitMs ?? 30_000,
      providerTitle: PROVIDER_TITLES[options.connection.provider],
      findSent: options.provider.findSent
        ? ({ to, from, body }, since) =>
            options.provider.findSent?.({ to, from, body, since }) ?? Promise.resolve(undefined)
        : undefined,
    });
    this.approval = new SendApproval({
      connection: options.connection,
      guardrails: options.guardrails,
      claims: this.claims,
      sightings: sightingsOf(store, windowNow),
      metrics: this.metrics,
      tracer: this.tracer,
    });
    this.callbacks = new StatusCallbackInbox({
      connection: options.connection,
      provider: options.provider,
      store,
      audit: options.audit,
      now: this.now,
      metrics: this.metrics,
    });
  }

  /** Runs one tools/call in a span of its own, continuing the caller's trace when given. */
  traced<T>(name: string, parent: TraceParent | undefined, run: () => Promise<T>): Promise<T> {
    return this.tracer.call(name, parent, run);
  }

  /** The key that seals confirmation forms' state, the same on every replica of the store. */
  sealingKey(): Promise<Uint8Array> {
    return this.confirmKey.get();
  }

  /** A status callback from the provider: recorded when it is genuine and new. */
  receiveStatusCallback(callback: StatusCallback): Promise<CallbackReceipt> {
    return this.callbacks.receive(callback);
  }

  /** Loads the number metadata and the provider ahead of the first send. */
  warmUp(): void {
    if (this.warmedUp) return;
    this.warmedUp = true;
    void this.validation.get();
    if (this.options.guardrails.quietHours) void this.timeZones.get();
    if (this.options.guardrails.dryRun) return;
    this.options.provider.prepare?.().catch((error: unknown) => {
      this.options.logger.warn({ reason: asSmsError(error).reason }, "provider not ready yet");
    });
  }

  /**
   * Resolves once every send that has started has answered and the ledger has its outcome
   * (for a graceful shutdown).
   */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  /** Whether sends can be recorded now (the readiness probe of an HTTP server). */
  async ready(): Promise<boolean> {
    return (await this.options.store.isReady?.()) ?? true;
  }

  /**
   * Lets go of the store's files or connections. Call `idle()` first: an answered send's
   * outcome may still be on its way to the ledger.
   */
  async close(): Promise<void> {
    await this.options.store.close?.();
  }

  /** Sends that have started and not yet answered or been recorded. */
  get inFlight(): number {
    return this.active.size;
  }

  /**
   * One send. With a `confirmer` (the MCP server passes one when the connection's `confirm` is
   * on), the person is asked before the claim; without one, as from `sms-mcp send` typed on a
   * terminal, the text needs no other approval. `AWAITING_PERSON` means the form went to the
   * client and the call ends there: the answer comes with a later call.
   */
  send(args: unknown): Promise<SendOutcome>;
  send(args: unknown, confirmer: Confirmer | undefined): Promise<SendOutcome | AwaitingPerson>;
  send(args: unknown, confirmer?: Confirmer): Promise<SendOutcome | AwaitingPerson> {
    const sending = this.attempt(args, confirmer);
    this.track(sending);
    return sending;
  }

  /** Work a graceful shutdown waits for: sends, and the ledger's record of how each ended. */
  private track(work: Promise<unknown>): void {
    this.active.add(work);
    void work.finally(() => this.active.delete(work));
  }

  private async attempt(
    args: unknown,
    confirmer: Confirmer | undefined,
  ): Promise<SendOutcome | AwaitingPerson> {
    const { connection, guardrails } = this.options;
    const { tracer } = this;
    let reached: Reached | undefined;
    let claimed: ClaimedSend | undefined;
    let ending: Ending;
    try {
      const validated = await tracer.step("validate", () => this.validate(args));
      reached = validated;
      const checked = await tracer.step("policy", () => this.checkPolicy(validated));
      reached = checked;
      const approved = await this.approval.approve(checked, confirmer);
      if ("awaitingPerson" in approved) return approved;
      reached = approved;
      claimed = await tracer.step("claim", () => this.claim(approved));
      reached = claimed;
      ending = { delivered: await this.handOverOrJoin(claimed) };
    } catch (error) {
      ending = { failure: { error: asSmsError(error), stage: failureStage(claimed, error) } };
    }
    if (claimed) {
      const settling = claimed;
      // The answer does not wait for the ledger to learn how the send ended. What the claim
      // holds back (the identical text, its rate) is held from the claim on; identical sends
      // in this process already have the ending; the ledger takes this process's commands in
      // order, so its next claim reads the outcome; and a crash before the record leaves the
      // claim pending, which never lets the text go again. Shutdown waits for it (`idle`).
      this.track(tracer.step("settle", () => this.settle(settling, ending)));
    }
    const attempt: Attempt = {
      connection,
      args,
      duplicateWindowSeconds: guardrails.duplicateWindowSeconds,
      reached,
      ...ending,
    };
    const outcome = buildOutcome(attempt);
    const ended = outcomeOf(attempt);
    const error = "failure" in ending ? ending.failure.error : undefined;
    const category = error?.category;
    const rule = error?.rule;
    this.metrics.attempt(ended, category);
    if (rule !== undefined) this.metrics.guardrailRefusal(rule);
    tracer.note({
      "sms_mcp.connection": connection.id,
      "sms_mcp.provider": connection.provider,
      "sms_mcp.outcome": ended,
      "sms_mcp.error.category": category,
      "sms_mcp.error.rule": rule,
      "sms_mcp.segments": reached?.segments.segments,
      "sms_mcp.confirmed_by": confirmedByOf(reached),
    });
    this.log(outcome);
    await this.audit(auditRecordOf(attempt, outcome, this.auditTime(), guardrails.auditBodies));
    return outcome;
  }

  /** The arguments as a send, with its segments and notes. */
  private async validate(args: unknown): Promise<ValidatedSend> {
    const { validateSend } = this.validation.value ?? (await this.validation.get());
    const send = validateSend(args, this.options.connection);
    return { send, segments: countSegments(send.body), notes: notesFor(send.links) };
  }

  /** The connection's policy and quiet hours, applied to a validated send; a refusal is thrown. */
  private async checkPolicy(validated: ValidatedSend): Promise<CheckedSend> {
    const { guardrails } = this.options;
    const { send, segments } = validated;
    const { callingCodesOf } = this.validation.value ?? (await this.validation.get());
    const { template } = checkPolicy(guardrails, this.templates, send, segments, callingCodesOf);
    if (guardrails.quietHours) {
      const { timeZonesOf } = this.timeZones.value ?? (await this.timeZones.get());
      checkQuietHours(guardrails.quietHours, send.to, await timeZonesOf(send.to), this.now());
    }
    return { ...validated, template };
  }

  /** The ledger's claim of an approved send; its note joins the send's notes. */
  private async claim(approved: ApprovedSend): Promise<ClaimedSend> {
    const claim = await this.claims.claim(approved.send);
    if (approved.unaskedAsSent && claim.kind === "new") {
      // The earlier text's window ended, or it failed, between the look and the claim: this
      // text would go unapproved. Let go of the claim; the next call asks.
      await this.claims.settle(claim, { error: askAgain() });
      throw askAgain();
    }
    const note = claim.kind !== "in_flight" ? claim.note : undefined;
    const notes = note ? [...(approved.notes ?? []), note] : approved.notes;
    return { ...approved, notes, claim };
  }

  /** The provider call for a new claim; a duplicate's or a joined send's answer otherwise. */
  private async handOverOrJoin(claimed: ClaimedSend): Promise<Delivered> {
    const { claim } = claimed;
    switch (claim.kind) {
      case "duplicate":
        return { status: "duplicate", duplicateOf: claim.messageId };
      case "in_flight": {
        const earlier = await claim.earlier;
        if ("error" in earlier) throw earlier.error;
        return { status: "duplicate", duplicateOf: earlier.messageId };
      }
      case "new": {
        const { connection, guardrails } = this.options;
        if (guardrails.dryRun) {
          return { status: "dry_run", messageId: `dryrun-${randomUUID()}` };
        }
        const { to, from, sender, body } = claimed.send;
        // Write-ahead: the attempt is on record before the provider can take it.
        await this.audit(
          pendingRecordOf(connection, claimed, this.auditTime(), guardrails.auditBodies),
        );
        const receipt = await handOver(
          this.options.provider,
          { to, from, sender, body },
          this.sleep,
          { metrics: this.metrics, tracer: this.tracer },
        );
        return { status: "sent", receipt };
      }
    }
  }

  /** The ledger learns how a claimed attempt ended; if it cannot, the claim stays held. */
  private async settle(claimed: ClaimedSend, ending: Ending): Promise<void> {
    try {
      await this.claims.settle(claimed.claim, endingOf(ending));
    } catch (error) {
      // The store's failure changes nothing about the text: the line says what became of it.
      // The store's own words may carry its internals, so only its error's name and code go in.
      this.options.logger.error(
        {
          cause: errorName(error),
          messageId:
            "delivered" in ending && ending.delivered.status === "sent"
              ? ending.delivered.receipt.messageId
              : undefined,
        },
        `${whatBecameOf(ending)}, but the send ledger could not record it; the identical text stays held back until its window ends`,
      );
    }
  }

  private log({ ok, details }: SendOutcome): void {
    const { logger } = this.options;
    if (!ok) {
      // No number above debug, not even masked (a short or malformed one would show whole):
      // the audit log is where a send's recipient is kept.
      logger.warn(
        {
          provider: details.provider,
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
  }

  /** The audit record's time. */
  private auditTime(): Date {
    return new Date(this.now());
  }

  /** One audit line, before the answer goes back; a failing write is logged, never fatal. */
  private async audit(record: AuditRecord): Promise<void> {
    try {
      await this.options.audit.append(record);
    } catch (error) {
      this.options.logger.error(
        { code: (error as NodeJS.ErrnoException).code },
        "could not write the audit log",
      );
    }
  }
}

/** The confirmation key the store keeps for every replica (made now if it has none). */
async function keptConfirmKey(store: GuardrailStore): Promise<Uint8Array> {
  const created = randomBytes(32).toString("base64");
  const kept =
    (await store.sharedSecret?.("confirm-key", created).catch(ledgerUnreachable)) ?? created;
  const key = new Uint8Array(Buffer.from(kept, "base64"));
  if (key.length >= 32) return key;
  throw new SmsError({
    category: "configuration",
    reason:
      "the confirmation key kept with the send ledger is damaged (shorter than 32 bytes), so no confirmation can be sealed; the account owner can delete it (confirm-key.secret in the state directory, or the confirm-key secret in Redis) or set SMS_MCP_CONFIRM_KEY",
    retryable: false,
    certainlyNotSent: true,
  });
}

/**
 * Where a failure stopped the send: before a claim nothing could have reached the provider
 * (refused); after a new claim, the error says whether the provider certainly did not take
 * the text (failed) or may have (unknown); a joined send shares its earlier send's failure.
 */
function failureStage(claimed: ClaimedSend | undefined, error: unknown): FailureStage {
  // Held back behind an identical attempt that failed or is unconfirmed: this attempt never
  // reached the provider, so it is a refusal (`duplicate` is only ever a text already sent).
  if (claimed?.claim.kind !== "new") return "refused";
  return asSmsError(error).certainlyNotSent ? "failed" : "unknown";
}

/** What became of a claimed attempt, for a log line. */
function whatBecameOf(ending: Ending): string {
  if ("failure" in ending) {
    return ending.failure.error.certainlyNotSent
      ? "the text was not sent"
      : "whether the text went out is not known";
  }
  if (ending.delivered.status === "sent") return "the text was sent";
  if (ending.delivered.status === "dry_run") return "the dry run ended";
  return "whether the text went out is not known";
}

/** An error's name and, for a store's reply (`OOM`, `READONLY`), its leading code. */
function errorName(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = /^[A-Z]{2,}\b/.exec(error.message)?.[0];
  return code ? `${error.name} ${code}` : error.name;
}

/** What identical sends waiting on this one are told. */
function endingOf(ending: Ending): SendEnding {
  if ("failure" in ending) return { error: ending.failure.error };
  const { delivered } = ending;
  if (delivered.status === "sent") return { messageId: delivered.receipt.messageId };
  if (delivered.status === "dry_run") return { messageId: delivered.messageId };
  return { messageId: delivered.duplicateOf };
}
