import { SmsError } from "./errors.js";
import {
  allowListRule,
  countryRule,
  denyListRule,
  emergencyRule,
  firstRefusal,
  numberTypeRule,
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
  const { toFacts: to, fromFacts: from } = send;
  const configured = guardrails.allowedCountries;
  // By default: the sender's own country, or its calling code when its range is unknown.
  const countries = configured ?? (from.country ? [from.country] : []);
  const callingCodes =
    configured === undefined && !from.country
      ? [from.callingCode]
      : countries === "*"
        ? []
        : callingCodesOf(countries);
  // A number the owner listed explicitly is allowed whatever its country or type.
  const listed = guardrails.allowList.includes(to.e164);
  const decision = firstRefusal([
    () => emergencyRule(to),
    () => denyListRule(to, guardrails.denyList),
    () => allowListRule(to, guardrails.allowList),
    () => (listed ? { allowed: true } : countryRule(to, countries, callingCodes)),
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
