import { z } from "zod";
import { CONFIRM_MODES } from "../confirmModes.js";
import { e164Schema } from "../e164.js";
import { linkDomainOf } from "../hosts.js";
import { MAX_MESSAGE_CHARS } from "../sendSmsArguments.js";
import { CLOCK_TIME } from "./quietHours.js";
import { templatesProblem } from "./templates.js";

/**
 * How an environment variable's text is written for a field; config/ owns the parsers.
 * - count: a whole number; bool: 1/0, true/false, yes/no, on/off; countries: `US,CA` or `*`;
 * - numbers: comma-separated E.164; rate: a count per window, `5/1h`; path: a file path;
 * - hosts: comma-separated host names, or `none`; window: `21:00-08:00`;
 * - choice: one of the field's words (`off`, `ask`, `human`);
 * - jsonFile: the path of a JSON file holding the value.
 */
export type EnvSyntax =
  | "count"
  | "bool"
  | "countries"
  | "numbers"
  | "rate"
  | "path"
  | "hosts"
  | "window"
  | "choice"
  | "jsonFile";

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

const templateSchema = z
  .object({
    name: z
      .string()
      .regex(/^[\w.-]{1,64}$/, "a template name is 1 to 64 letters, digits, _, . or -"),
    text: z.string().min(1).max(MAX_MESSAGE_CHARS),
  })
  .strict();

/** Every template is listed in the tool's description and tried against each text. */
const MAX_TEMPLATES = 50;

const templates = z
  .array(templateSchema)
  .max(MAX_TEMPLATES, `at most ${MAX_TEMPLATES} templates per connection`)
  .superRefine((list, context) => {
    const problem = templatesProblem(list);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });

const linkDomain = z.string().transform((written, context) => {
  const host = linkDomainOf(written);
  if (host === undefined) {
    context.addIssue({
      code: "custom",
      message: `"${written.slice(0, 64)}" is not a host name (write pay.example.com: no scheme, path, port, wildcard or IP address; it covers its subdomains)`,
    });
    return z.NEVER;
  }
  return host;
});

const clockTime = z.string().regex(CLOCK_TIME, "a time is HH:MM, 00:00 to 23:59");

const quietHours = z
  .object({ start: clockTime, end: clockTime })
  .strict()
  .refine(
    (window) => window.start !== window.end,
    "quiet hours must start and end at different times",
  );

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
  /**
   * Messages the owner allows, `{ name, text }` with `{placeholders}`: the tool's description
   * lists them, and a send that matches one names it.
   */
  templates: field(templates, [], "SMS_MCP_TEMPLATES_FILE", "jsonFile"),
  /** Refuse any message that matches none of the templates. */
  templatesOnly: field(z.boolean(), false, "SMS_MCP_TEMPLATES_ONLY", "bool"),
  /** Hosts (and their subdomains) a link in a text may point to; `[]` refuses every link; unset allows any. */
  allowedLinkDomains: field(
    z.array(linkDomain).optional(),
    undefined,
    "SMS_MCP_ALLOWED_LINK_DOMAINS",
    "hosts",
  ),
  /** No text inside this daily window of the recipient's local time; unset: any hour. */
  quietHours: field(quietHours.optional(), undefined, "SMS_MCP_QUIET_HOURS", "window"),
  /**
   * Whether a person approves each text through the client's form (elicitation): `ask` falls
   * back to a read-back in two calls where the client cannot show one, `human` refuses there.
   */
  confirm: field(z.enum(CONFIRM_MODES), "off", "SMS_MCP_CONFIRM", "choice"),
  /** How long the form waits for the person's answer before the call gives up. */
  confirmTimeoutSeconds: field(
    z.number().int().positive(),
    120,
    "SMS_MCP_CONFIRM_TIMEOUT_SECONDS",
    "count",
  ),
  /** How long a read-back, or a form's sealed state, stays good for the call that sends. */
  confirmWindowSeconds: field(
    z.number().int().positive(),
    300,
    "SMS_MCP_CONFIRM_WINDOW_SECONDS",
    "count",
  ),
  /** Every check runs and the attempt is recorded, but nothing is sent. */
  dryRun: field(z.boolean(), false, "SMS_MCP_DRY_RUN", "bool"),
  /** Where the audit log goes; unset = the platform's state directory. */
  auditLog: field(z.string().min(1).optional(), undefined, "SMS_MCP_AUDIT_LOG", "path"),
  /** Also record message bodies (off by default: they may hold codes or personal data). */
  auditBodies: field(z.boolean(), false, "SMS_MCP_AUDIT_BODIES", "bool"),
} as const satisfies Record<string, GuardrailField>;

type Fields = typeof GUARDRAIL_FIELDS;
export type GuardrailName = keyof Fields;

/**
 * What refused a send, as the audit log and the metrics name it: the guardrail setting that
 * refused (`denyList`, `perRecipient`, `quietHours`…), or `emergency`, which no setting allows.
 */
export type RefusingRule = GuardrailName | "emergency";

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
