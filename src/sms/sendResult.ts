import type { ProviderName } from "../providers/types.js";
import type { SmsErrorCategory } from "./errors.js";
import type { Encoding } from "./segments.js";

/** What the tool reports in structuredContent, for success and failure alike. */
export interface SendDetails {
  status: "sent" | "failed" | "duplicate" | "dry_run";
  provider: ProviderName;
  connection: string;
  to: string | null;
  from: string | null;
  messageId?: string | undefined;
  /** For a duplicate: the id of the earlier message that already carried this text. */
  duplicateOf?: string | undefined;
  providerStatus?: string | undefined;
  segments?: number | undefined;
  encoding?: Encoding | string | undefined;
  notes?: string[] | undefined;
  error?:
    | {
        category: SmsErrorCategory;
        reason: string;
        retryable: boolean;
        providerCode?: string | undefined;
        retryAfterSeconds?: number | undefined;
      }
    | undefined;
}

export type SendOutcome =
  | { ok: true; details: SendDetails }
  | { ok: false; reason: string; details: SendDetails };
