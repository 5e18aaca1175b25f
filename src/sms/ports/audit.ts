export type AuditOutcome = "sent" | "failed" | "refused" | "duplicate" | "dry_run";

/** One line per attempt. Never a secret; the body only when the owner turned that on. */
export interface AuditRecord {
  time: string;
  connection: string;
  provider: string;
  to: string | null;
  from: string | null;
  segments: number | null;
  encoding: string | null;
  outcome: AuditOutcome;
  errorCategory: string | null;
  messageId: string | null;
  bodySha256: string | null;
  body?: string;
}

/** Where attempts are recorded, before the tool answers. */
export interface AuditSink {
  append(record: AuditRecord): Promise<void>;
}
