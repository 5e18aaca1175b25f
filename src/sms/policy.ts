import { SmsError } from "./errors.js";
import {
  allowListRule,
  countryRule,
  denyListRule,
  emergencyRule,
  firstRefusal,
  numberTypeRule,
  type RuleDecision,
  segmentRule,
} from "./guardrails/rules.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import type { SegmentInfo } from "./segments.js";
import type { ValidSend } from "./validate.js";

/**
 * The connection's recipient and length policy for one send: throws the first refusal.
 * Rules that can never be relaxed come first, so the reason given is the real one.
 */
export function checkPolicy(
  guardrails: GuardrailSettings,
  send: ValidSend,
  { segments, encoding }: SegmentInfo,
  callingCodesOf: (countries: readonly string[]) => readonly string[],
): void {
  const { toFacts: to, defaultFromFacts: home } = send;
  const configured = guardrails.allowedCountries;
  // By default: the configured default sender's country (or its calling code when its range
  // is unknown), never the from_ of the call: a caller cannot widen the policy.
  const countries = configured ?? (home?.country ? [home.country] : []);
  const callingCodes =
    configured === undefined && home && !home.country
      ? [home.callingCode]
      : countries === "*"
        ? []
        : callingCodesOf(countries);
  // A number the owner listed explicitly is allowed whatever its country or type.
  const listed = guardrails.allowList.includes(to.e164);
  const decision = firstRefusal([
    () => emergencyRule(to),
    () => denyListRule(to, guardrails.denyList),
    () => allowListRule(to, guardrails.allowList),
    () =>
      listed
        ? { allowed: true }
        : configured === undefined && !home
          ? noHomeCountry()
          : countryRule(to, countries, callingCodes),
    () => (listed ? { allowed: true } : numberTypeRule(to, guardrails.blockNonMobileTypes)),
    () => segmentRule(segments, encoding, guardrails.maxSegments),
  ]);
  if (!decision.allowed) {
    throw new SmsError({
      category: decision.category,
      reason: decision.reason,
      retryable: decision.retryable,
    });
  }
}

/** Without a default sender there is no home country to default to: the owner must say. */
function noHomeCountry(): RuleDecision {
  return {
    allowed: false,
    category: "not_allowed",
    reason:
      "this connection's default sender is not set or is not a phone number (a messaging service, a Powerpack, an alphanumeric ID), so it gives no country to allow; the account owner must set allowedCountries",
    retryable: false,
  };
}
