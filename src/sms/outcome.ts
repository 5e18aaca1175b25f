import type { ConfirmedBy } from "./confirmation.js";
import type { SmsError } from "./errors.js";
import { describeWindow } from "./guardrails/rateLimit.js";
import type { AuditOutcome, AuditRecord } from "./ports/audit.js";
import type { AttemptOutcome } from "./ports/metrics.js";
import type { SendReceipt } from "./ports/provider.js";
import type { SegmentInfo } from "./segments.js";
import type { SendIdentity } from "./sendIdentity.js";
import type { SendDetails, SendOutcome } from "./sendResult.js";
import type { ValidSend } from "./validate.js";

/** What the provider step produced, when the send got that far without an error. */
export type Delivered =
  | { status: "sent"; receipt: SendReceipt }
  | { status: "dry_run"; messageId: string }
  | { status: "duplicate"; duplicateOf: string | undefined };

/**
 * Where a failure stopped a send; each is also the audit log's word for it: `refused` before
 * the provider (validation, policy, rates, the person, an identical attempt that failed or is
 * unconfirmed), `failed` when the provider certainly did not take it, `unknown` otherwise.
 */
export type FailureStage = "refused" | "failed" | "unknown";

/** Everything one attempt learned, from the raw arguments to the provider's answer. */
export interface Attempt {
  connection: SendIdentity;
  args: unknown;
  /** The ledger's id, once the attempt was claimed. */
  attemptId?: string | undefined;
  /** Set once the arguments passed validation. */
  send?: ValidSend | undefined;
  segments?: SegmentInfo | undefined;
  notes?: string[] | undefined;
  /** The template the message matched, once the policy looked. */
  template?: string | undefined;
  /** Who approved the text, when the connection asks. */
  confirmedBy?: ConfirmedBy | undefined;
  delivered?: Delivered | undefined;
  failure?: { error: SmsError; stage: FailureStage } | undefined;
  duplicateWindowSeconds: number;
}

/** A field of the raw arguments as given, cut short, for answering input that was refused. */
function givenString(args: unknown, key: string): string | undefined {
  if (typeof args !== "object" || args === null) return undefined;
  const value = (args as Record<string, unknown>)[key];
  return typeof value === "string" ? value.slice(0, 64) : undefined;
}

/** The tool's answer for one attempt: the one place a SendOutcome is built. */
export function buildOutcome(attempt: Attempt): SendOutcome {
  const { connection, send, segments, delivered, failure } = attempt;
  const details: SendDetails = {
    status: "failed",
    provider: connection.provider,
    connection: connection.label,
    to: send ? send.to : givenString(attempt.args, "to_"),
    from: send ? send.from : (givenString(attempt.args, "from_") ?? connection.defaultFrom),
    segments: segments?.segments,
    encoding: segments?.encoding,
    notes: attempt.notes,
    template: attempt.template,
  };
  if (failure || !delivered) {
    const error = failure?.error;
    const reason = error?.reason ?? "the send ended without an answer";
    details.error = {
      category: error?.category ?? "unknown",
      reason,
      retryable: error?.retryable ?? false,
      providerCode: error?.providerCode,
      retryAfterSeconds: error?.retryAfterSeconds,
    };
    return { ok: false, reason, details };
  }
  details.status = delivered.status;
  details.confirmedBy = attempt.confirmedBy;
  switch (delivered.status) {
    case "sent": {
      const { receipt } = delivered;
      details.messageId = receipt.messageId;
      details.providerStatus = receipt.status;
      details.segments = receipt.segments ?? details.segments;
      details.encoding = receipt.encoding ?? details.encoding;
      break;
    }
    case "dry_run":
      details.messageId = delivered.messageId;
      break;
    case "duplicate":
      details.duplicateOf = delivered.duplicateOf;
      details.notes = [
        ...(attempt.notes ?? []),
        `an identical text to this recipient was already sent in the last ${describeWindow(attempt.duplicateWindowSeconds)}, so it was not sent again`,
      ];
      break;
  }
  return { ok: true, details };
}

/** How an attempt ended, in the audit log's words (and the metrics'). */
export function outcomeOf(attempt: Attempt): AttemptOutcome {
  return attempt.failure ? attempt.failure.stage : (attempt.delivered?.status ?? "failed");
}

/**
 * The audit log's line for one attempt, or its write-ahead `pending` line: never a secret,
 * the body only when asked for.
 */
export function auditRecordOf(
  attempt: Attempt,
  answer: SendOutcome | "pending",
  time: Date,
  withBody: boolean,
): AuditRecord {
  const details: Partial<SendDetails> =
    answer === "pending"
      ? {
          to: attempt.send?.to,
          from: attempt.send?.from,
          segments: attempt.segments?.segments,
          encoding: attempt.segments?.encoding,
        }
      : answer.details;
  const outcome: AuditOutcome = answer === "pending" ? "pending" : outcomeOf(attempt);
  const record: AuditRecord = {
    time: time.toISOString(),
    attempt: attempt.attemptId,
    connection: attempt.connection.label,
    provider: attempt.connection.provider,
    to: details.to ?? null,
    from: details.from ?? null,
    segments: details.segments ?? null,
    encoding: details.encoding ?? null,
    outcome,
    errorCategory: details.error?.category ?? null,
    messageId: details.messageId ?? details.duplicateOf ?? null,
    bodySha256: attempt.send?.bodySha256 ?? null,
  };
  if (withBody && attempt.send) record.body = attempt.send.body;
  return record;
}
