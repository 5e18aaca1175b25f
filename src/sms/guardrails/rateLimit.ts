import { SmsError } from "../errors.js";
import type { ClaimDecision, RateBucket } from "../ports/store.js";
import type { GuardrailSettings } from "./settings.js";

function describeWait(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} seconds`;
  if (minutes < 120) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

export function describeWindow(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? "day" : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** The two sliding windows every send must fit: per recipient and per connection. */
export function rateBuckets(
  connectionId: string,
  to: string,
  guardrails: GuardrailSettings,
): RateBucket[] {
  return [
    {
      key: `rate:${connectionId}:to:${to}`,
      limit: guardrails.perRecipient.limit,
      windowMs: guardrails.perRecipient.windowSeconds * 1000,
      label: "this recipient",
      rule: "perRecipient",
    },
    {
      key: `rate:${connectionId}:all`,
      limit: guardrails.perConnection.limit,
      windowMs: guardrails.perConnection.windowSeconds * 1000,
      label: "this connection",
      rule: "perConnection",
    },
  ];
}

/** A refusal that says when sending will be possible again, or that it never will. */
export function rateLimitError({
  bucket,
  retryAfterMs,
}: Extract<ClaimDecision, { kind: "rate_limited" }>): SmsError {
  if (retryAfterMs === undefined) {
    return new SmsError({
      category: "rate_limited",
      reason: `the sending limit for ${bucket.label} is ${bucket.limit}, so nothing can be sent; the account owner must raise it`,
      retryable: false,
      rule: bucket.rule,
    });
  }
  // A send recorded by a process whose clock ran ahead looks as if it is in the future; no
  // window needs longer than itself to pass.
  const waitMs = Math.min(retryAfterMs, bucket.windowMs);
  return new SmsError({
    category: "rate_limited",
    reason: `${bucket.label} has reached its limit of ${bucket.limit} texts per ${describeWindow(bucket.windowMs / 1000)}; sending will be possible again in about ${describeWait(waitMs)}`,
    retryable: true,
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    rule: bucket.rule,
  });
}
