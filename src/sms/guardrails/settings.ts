/** A sliding-window limit: at most `limit` sends per `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** Per-connection safety policy. Parsed from config and env in one place (config/guardrailSettings). */
export interface GuardrailSettings {
  /** Same to + from + text within this many seconds is not sent again; 0 turns it off. */
  duplicateWindowSeconds: number;
  /** ISO country codes the connection may text, or "*" for all; undefined = the default sender's country. */
  allowedCountries: string[] | "*" | undefined;
  /** Refuse premium-rate, shared-cost and other number types an SMS cannot reach (SMS pumping). */
  blockNonMobileTypes: boolean;
  /** When non-empty, only these numbers may be texted. */
  allowList: string[];
  /** These numbers are never texted. */
  denyList: string[];
  perRecipient: RateLimit;
  perConnection: RateLimit;
  maxSegments: number;
  dryRun: boolean;
  /** Where the audit log goes; undefined = the platform's state directory. */
  auditLog: string | undefined;
  /** Also record message bodies (off by default: they may hold codes or personal data). */
  auditBodies: boolean;
}

export const DEFAULT_GUARDRAILS: GuardrailSettings = {
  duplicateWindowSeconds: 600,
  allowedCountries: undefined,
  blockNonMobileTypes: true,
  allowList: [],
  denyList: [],
  perRecipient: { limit: 5, windowSeconds: 3600 },
  perConnection: { limit: 200, windowSeconds: 86_400 },
  maxSegments: 10,
  dryRun: false,
  auditLog: undefined,
  auditBodies: false,
};
