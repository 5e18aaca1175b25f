/**
 * `pending` is written before the provider is called; the line after it gives the outcome.
 * `unknown`: the provider may or may not have taken the text (a pending line with no outcome
 * line reads the same once its send is long over).
 */
export type AuditOutcome =
  | "pending"
  | "sent"
  | "failed"
  | "unknown"
  | "refused"
  | "duplicate"
  | "dry_run"
  /** Not an attempt: what the provider later said of a sent text (`sms-mcp status`). */
  | "delivery";

/**
 * One line per attempt (two for one that reached the provider: `pending`, then its outcome).
 * Never a secret; the body only when the owner turned that on.
 */
export interface AuditRecord {
  time: string;
  /** Ties an attempt's `pending` line to its outcome line. */
  attempt?: string;
  connection: string;
  provider: string;
  to: string | null;
  from: string | null;
  segments: number | null;
  encoding: string | null;
  outcome: AuditOutcome;
  errorCategory: string | null;
  /** On a `refused` line: the guardrail that refused (`denyList`, `perRecipient`, `emergency`…). */
  rule?: string;
  messageId: string | null;
  bodySha256: string | null;
  body?: string;
  /** On a `delivery` line: the text's state (queued, sent, delivered, undelivered, failed). */
  delivery?: string;
  /** On a `delivery` line: the provider's delivery error code, if any. */
  deliveryErrorCode?: string | null;
}

/** Where attempts are recorded, before the tool answers. */
export interface AuditSink {
  append(record: AuditRecord): Promise<void>;
}
