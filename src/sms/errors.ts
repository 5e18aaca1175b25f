import type { RefusingRule } from "./guardrails/settings.js";

/**
 * Every failure on the send path, whatever layer it comes from, becomes one SmsError.
 * `reason` is a sentence written for the model: it must never contain a secret, a stack
 * trace or raw provider output that could echo one.
 */
export const SMS_ERROR_CATEGORIES = [
  "invalid_input",
  "invalid_recipient",
  "invalid_sender",
  "opted_out",
  "authentication",
  "rate_limited",
  "too_long",
  "provider_unavailable",
  "configuration",
  "not_allowed",
  "template_mismatch",
  "link_not_allowed",
  "quiet_hours",
  "declined",
  "confirmation_timeout",
  "confirmation_required",
  "confirmation_unavailable",
  "confirmation_invalid",
  "unconfirmed",
  "unavailable",
  "unknown",
] as const;

export type SmsErrorCategory = (typeof SMS_ERROR_CATEGORIES)[number];

export interface SmsErrorInit {
  category: SmsErrorCategory;
  reason: string;
  /** Whether the assistant may usefully try the same send again (later). */
  retryable: boolean;
  providerCode?: string | undefined;
  /**
   * True only when the provider certainly did not take the message (the connection was
   * refused, or it answered 429), so sending it again cannot text the person twice. Only
   * these failures are retried automatically. Default: false.
   */
  safeToResend?: boolean;
  /**
   * True when the provider certainly did not take the message: it answered with a refusal
   * (a 4xx), the connection was refused, or the send never got as far as the provider. Any
   * other failure during delivery (a timeout, a reset, a 5xx, an unreadable answer) leaves the
   * outcome unknown, and the identical text is then never sent again within the duplicate
   * window. Default: `safeToResend`.
   */
  certainlyNotSent?: boolean;
  retryAfterSeconds?: number | undefined;
  /** The guardrail that refused the send, for the audit log and the metrics (not the tool's answer). */
  rule?: RefusingRule | undefined;
}

export class SmsError extends Error {
  readonly category: SmsErrorCategory;
  readonly reason: string;
  readonly retryable: boolean;
  readonly providerCode: string | undefined;
  readonly safeToResend: boolean;
  readonly certainlyNotSent: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly rule: RefusingRule | undefined;

  constructor(init: SmsErrorInit) {
    super(init.reason);
    this.name = "SmsError";
    this.category = init.category;
    this.reason = init.reason;
    this.retryable = init.retryable;
    this.providerCode = init.providerCode;
    this.safeToResend = init.safeToResend ?? false;
    this.certainlyNotSent = init.certainlyNotSent ?? this.safeToResend;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.rule = init.rule;
  }
}

/** Anything thrown on the send path, as an SmsError; a foreign error's text is never shown. */
export function asSmsError(error: unknown): SmsError {
  if (error instanceof SmsError) return error;
  // It may carry SDK internals (request config, headers).
  return new SmsError({
    category: "unknown",
    reason: "an unexpected error stopped the send; it was not confirmed by the provider",
    retryable: false,
  });
}
