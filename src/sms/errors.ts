/**
 * Every failure on the send path, whatever layer it comes from, becomes one SmsError.
 * `reason` is a sentence written for the model: it must never contain a secret, a stack
 * trace or raw provider output that could echo one.
 */
export type SmsErrorCategory =
  | "invalid_input"
  | "invalid_recipient"
  | "invalid_sender"
  | "opted_out"
  | "authentication"
  | "rate_limited"
  | "too_long"
  | "provider_unavailable"
  | "configuration"
  | "not_allowed"
  | "unknown";

export interface SmsErrorInit {
  category: SmsErrorCategory;
  reason: string;
  /** Whether the assistant may usefully try the same send again (later). */
  retryable: boolean;
  providerCode?: string | undefined;
  /**
   * True only when the provider certainly did not accept the message (the connection was
   * refused, or it answered 429). Only these are retried automatically.
   */
  notAccepted?: boolean;
  retryAfterSeconds?: number | undefined;
}

export class SmsError extends Error {
  readonly category: SmsErrorCategory;
  readonly reason: string;
  readonly retryable: boolean;
  readonly providerCode: string | undefined;
  readonly notAccepted: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(init: SmsErrorInit) {
    super(init.reason);
    this.name = "SmsError";
    this.category = init.category;
    this.reason = init.reason;
    this.retryable = init.retryable;
    this.providerCode = init.providerCode;
    this.notAccepted = init.notAccepted ?? false;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}
