import { describeWindow } from "./guardrails/rateLimit.js";
import type { AuditOutcome, AuditRecord } from "./ports/audit.js";
import type { AttemptOutcome } from "./ports/metrics.js";
import type { SendIdentity } from "./sendIdentity.js";
import type { SendDetails, SendOutcome } from "./sendResult.js";
import {
  attemptIdOf,
  type ClaimedSend,
  confirmedByOf,
  type Ending,
  type Reached,
  templateOf,
} from "./sendStages.js";

/** One attempt, as far as it got and how it ended: what its answer and audit line are made of. */
export type Attempt = {
  connection: SendIdentity;
  args: unknown;
  duplicateWindowSeconds: number;
  /** The furthest stage it reached; undefined when validation refused it. */
  reached: Reached | undefined;
} & Ending;

/** A field of the raw arguments as given, cut short, for answering input that was refused. */
function givenString(args: unknown, key: string): string | undefined {
  if (typeof args !== "object" || args === null) return undefined;
  const value = (args as Record<string, unknown>)[key];
  return typeof value === "string" ? value.slice(0, 64) : undefined;
}

/** The tool's answer for one attempt: the one place a SendOutcome is built. */
export function buildOutcome(attempt: Attempt): SendOutcome {
  const { connection, reached } = attempt;
  const send = reached?.send;
  const segments = reached?.segments;
  const details: SendDetails = {
    status: "failed",
    provider: connection.provider,
    connection: connection.label,
    to: send ? send.to : givenString(attempt.args, "to_"),
    from: send ? send.from : (givenString(attempt.args, "from_") ?? connection.defaultFrom),
    segments: segments?.segments,
    encoding: segments?.encoding,
    notes: reached?.notes,
    template: templateOf(reached),
  };
  if ("failure" in attempt) {
    const { error } = attempt.failure;
    details.error = {
      category: error.category,
      reason: error.reason,
      retryable: error.retryable,
      providerCode: error.providerCode,
      retryAfterSeconds: error.retryAfterSeconds,
    };
    return { ok: false, reason: error.reason, details };
  }
  const { delivered } = attempt;
  details.status = delivered.status;
  details.confirmedBy = confirmedByOf(reached);
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
        ...(reached?.notes ?? []),
        `an identical text to this recipient was already sent in the last ${describeWindow(attempt.duplicateWindowSeconds)}, so it was not sent again`,
      ];
      break;
  }
  return { ok: true, details };
}

/** How an attempt ended, in the audit log's words (and the metrics'). */
export function outcomeOf(attempt: Attempt): AttemptOutcome {
  return "failure" in attempt ? attempt.failure.stage : attempt.delivered.status;
}

/** The audit log's line for one attempt: never a secret, the body only when asked for. */
export function auditRecordOf(
  attempt: Attempt,
  answer: SendOutcome,
  time: Date,
  withBody: boolean,
): AuditRecord {
  const record = lineOf(
    attempt.connection,
    attempt.reached,
    outcomeOf(attempt),
    answer.details,
    time,
    withBody,
  );
  const rule = "failure" in attempt ? attempt.failure.error.rule : undefined;
  if (rule !== undefined) record.rule = rule;
  return record;
}

/** The write-ahead `pending` line of a claimed send, just before the provider is called. */
export function pendingRecordOf(
  connection: SendIdentity,
  claimed: ClaimedSend,
  time: Date,
  withBody: boolean,
): AuditRecord {
  const { send, segments } = claimed;
  const details = {
    to: send.to,
    from: send.from,
    segments: segments.segments,
    encoding: segments.encoding,
  };
  return lineOf(connection, claimed, "pending", details, time, withBody);
}

function lineOf(
  connection: SendIdentity,
  reached: Reached | undefined,
  outcome: AuditOutcome,
  details: Partial<SendDetails>,
  time: Date,
  withBody: boolean,
): AuditRecord {
  const record: AuditRecord = {
    time: time.toISOString(),
    attempt: attemptIdOf(reached),
    connection: connection.label,
    provider: connection.provider,
    to: details.to ?? null,
    from: details.from ?? null,
    segments: details.segments ?? null,
    encoding: details.encoding ?? null,
    outcome,
    errorCategory: details.error?.category ?? null,
    messageId: details.messageId ?? details.duplicateOf ?? null,
    bodySha256: reached?.send.bodySha256 ?? null,
  };
  if (withBody && reached) record.body = reached.send.body;
  return record;
}
