import type { SmsErrorCategory } from "../errors.js";
import type { RefusingRule } from "./settings.js";

/** What a rule decides. A refusal always says whether trying again can ever help. */
export type RuleDecision =
  | { allowed: true }
  | {
      allowed: false;
      reason: string;
      retryable: boolean;
      category: SmsErrorCategory;
      /** The setting (or `emergency`) that refused. */
      rule: RefusingRule;
      /** When a retry can succeed: how long until it can. */
      retryAfterSeconds?: number;
    };

export interface NumberFacts {
  e164: string;
  /** ISO 3166 code, when the number belongs to a known range. */
  country: string | undefined;
  callingCode: string;
  /** libphonenumber's type (MOBILE, PREMIUM_RATE, …), when known. */
  type: string | undefined;
  nationalNumber: string;
}

/** A rule's refusal. */
export type Refusal = Extract<RuleDecision, { allowed: false }>;

const ALLOWED: RuleDecision = { allowed: true };

function refuse(
  rule: RefusingRule,
  reason: string,
  category: SmsErrorCategory = "not_allowed",
): RuleDecision {
  return { allowed: false, rule, reason, retryable: false, category };
}

/** Emergency and service short numbers, which no configuration may allow. */
const EMERGENCY = new Set([
  "911",
  "112",
  "999",
  "000",
  "110",
  "119",
  "118",
  "100",
  "101",
  "102",
  "108",
  "933",
]);

export function emergencyRule(to: NumberFacts): RuleDecision {
  return EMERGENCY.has(to.nationalNumber)
    ? refuse(
        "emergency",
        `${to.e164} is an emergency number; sms-mcp never texts emergency services`,
      )
    : ALLOWED;
}

export function denyListRule(to: NumberFacts, denyList: readonly string[]): RuleDecision {
  return denyList.includes(to.e164)
    ? refuse("denyList", `${to.e164} is on this connection's deny list, so it is never texted`)
    : ALLOWED;
}

export function allowListRule(to: NumberFacts, allowList: readonly string[]): RuleDecision {
  return allowList.length > 0 && !allowList.includes(to.e164)
    ? refuse(
        "allowList",
        `${to.e164} is not on this connection's allow list; only listed numbers can be texted`,
      )
    : ALLOWED;
}

/**
 * Countries: an explicit ISO list, "*", or (by default) the sender's own country. A number in a
 * range libphonenumber does not know (or a sender whose country is unknown) is judged by its
 * calling code instead.
 */
export function countryRule(
  to: NumberFacts,
  allowed: readonly string[] | "*",
  allowedCallingCodes: readonly string[],
): RuleDecision {
  if (allowed === "*") return ALLOWED;
  const byCountry = to.country !== undefined && allowed.length > 0;
  if (
    byCountry ? allowed.includes(to.country ?? "") : allowedCallingCodes.includes(to.callingCode)
  ) {
    return ALLOWED;
  }
  const where = to.country ?? `calling code +${to.callingCode}`;
  const list = allowed.length > 0 ? allowed.join(", ") : `+${allowedCallingCodes.join(", +")}`;
  return refuse(
    "allowedCountries",
    `${to.e164} is in ${where}, and this connection may only text ${list}; the account owner can change allowedCountries`,
  );
}

const BLOCKED_TYPES: Record<string, string> = {
  PREMIUM_RATE: "a premium-rate number",
  SHARED_COST: "a shared-cost number",
  UAN: "a universal access number",
  VOICEMAIL: "a voicemail access number",
  PAGER: "a pager number",
};

export function numberTypeRule(to: NumberFacts, block: boolean): RuleDecision {
  const kind = to.type ? BLOCKED_TYPES[to.type] : undefined;
  return block && kind
    ? refuse(
        "blockNonMobileTypes",
        `${to.e164} is ${kind}, which SMS cannot reach and which is abused for toll fraud; it is refused by policy`,
      )
    : ALLOWED;
}

export function segmentRule(segments: number, encoding: string, maxSegments: number): RuleDecision {
  if (segments <= maxSegments) return ALLOWED;
  const hint =
    encoding === "UCS-2" ? " (emoji or accented characters force UCS-2, 67 characters a part)" : "";
  return refuse(
    "maxSegments",
    `the message needs ${segments} SMS segments${hint}, over this connection's limit of ${maxSegments}; shorten it`,
    "too_long",
  );
}

/** The first refusal, in the order given: rules that can never be relaxed come first. */
export function firstRefusal(decisions: Iterable<() => RuleDecision>): RuleDecision {
  for (const decide of decisions) {
    const decision = decide();
    if (!decision.allowed) return decision;
  }
  return ALLOWED;
}
