import { z } from "zod";
import { e164Schema } from "../e164.js";

/**
 * How an environment variable's text is written for a field; config/ owns the parsers.
 * - count: a whole number; bool: 1/0, true/false, yes/no, on/off; countries: `US,CA` or `*`;
 * - numbers: comma-separated E.164; rate: a count per window, `5/1h`; path: a file path.
 */
export type EnvSyntax = "count" | "bool" | "countries" | "numbers" | "rate" | "path";

interface GuardrailField<S extends z.ZodType = z.ZodType> {
  /** What the config file (and, after parsing, the environment) may hold. */
  schema: S;
  default: z.output<S>;
  env: string;
  syntax: EnvSyntax;
}

function field<S extends z.ZodType>(
  schema: S,
  defaultValue: z.output<S>,
  env: string,
  syntax: EnvSyntax,
): GuardrailField<S> {
  return { schema, default: defaultValue, env, syntax };
}

const rateLimit = z
  .object({ limit: z.number().int().min(0), windowSeconds: z.number().int().positive() })
  .strict();

/**
 * The one declaration of a connection's safety policy: the settings type, its defaults, the
 * config file's `guardrails` schema and the environment variables all derive from it.
 */
export const GUARDRAIL_FIELDS = {
  /** Same to + from + text within this many seconds is not sent again; 0 turns it off. */
  duplicateWindowSeconds: field(
    z.number().int().min(0),
    600,
    "SMS_MCP_DUPLICATE_WINDOW_SECONDS",
    "count",
  ),
  /** ISO country codes the connection may text, or "*"; unset = the default sender's country. */
  allowedCountries: field(
    z.union([z.literal("*"), z.array(z.string().regex(/^[A-Z]{2}$/))]).optional(),
    undefined,
    "SMS_MCP_ALLOWED_COUNTRIES",
    "countries",
  ),
  /** Refuse premium-rate, shared-cost and other number types an SMS cannot reach (SMS pumping). */
  blockNonMobileTypes: field(z.boolean(), true, "SMS_MCP_BLOCK_NON_MOBILE", "bool"),
  /** When non-empty, only these numbers may be texted (they bypass the country and type rules). */
  allowList: field(z.array(e164Schema), [], "SMS_MCP_ALLOW_LIST", "numbers"),
  /** These numbers are never texted. */
  denyList: field(z.array(e164Schema), [], "SMS_MCP_DENY_LIST", "numbers"),
  /** Sliding window per recipient. */
  perRecipient: field(
    rateLimit,
    { limit: 5, windowSeconds: 3600 },
    "SMS_MCP_RATE_PER_RECIPIENT",
    "rate",
  ),
  /** Sliding window for the whole connection. */
  perConnection: field(
    rateLimit,
    { limit: 200, windowSeconds: 86_400 },
    "SMS_MCP_RATE_PER_CONNECTION",
    "rate",
  ),
  /** Most SMS segments one text may be billed as. */
  maxSegments: field(z.number().int().positive(), 10, "SMS_MCP_MAX_SEGMENTS", "count"),
  /** Every check runs and the attempt is recorded, but nothing is sent. */
  dryRun: field(z.boolean(), false, "SMS_MCP_DRY_RUN", "bool"),
  /** Where the audit log goes; unset = the platform's state directory. */
  auditLog: field(z.string().min(1).optional(), undefined, "SMS_MCP_AUDIT_LOG", "path"),
  /** Also record message bodies (off by default: they may hold codes or personal data). */
  auditBodies: field(z.boolean(), false, "SMS_MCP_AUDIT_BODIES", "bool"),
} as const satisfies Record<string, GuardrailField>;

type Fields = typeof GUARDRAIL_FIELDS;
export type GuardrailName = keyof Fields;

/** Per-connection safety policy, fully resolved. */
export type GuardrailSettings = { [K in GuardrailName]: z.output<Fields[K]["schema"]> };

/** A sliding-window limit: at most `limit` sends per `windowSeconds`. */
export type RateLimit = GuardrailSettings["perRecipient"];

export const GUARDRAIL_NAMES = Object.keys(GUARDRAIL_FIELDS) as GuardrailName[];

export const DEFAULT_GUARDRAILS = Object.fromEntries(
  GUARDRAIL_NAMES.map((name) => [name, GUARDRAIL_FIELDS[name].default]),
) as GuardrailSettings;

/** The `guardrails` object of a connection in the config file: every field optional. */
export const guardrailsConfigSchema = z
  .object(
    Object.fromEntries(GUARDRAIL_NAMES.map((name) => [name, GUARDRAIL_FIELDS[name].schema])) as {
      [K in GuardrailName]: Fields[K]["schema"];
    },
  )
  .partial()
  .strict();

export type GuardrailsConfig = z.infer<typeof guardrailsConfigSchema>;
