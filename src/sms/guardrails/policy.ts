import { SmsError } from "../errors.js";
import type { ValidSend } from "../sendRequest.js";
import {
  allowListRule,
  countryRule,
  denyListRule,
  emergencyRule,
  firstRefusal,
  numberTypeRule,
  segmentRule,
} from "./rules.js";
import type { GuardrailSettings } from "./settings.js";

/**
 * The connection's recipient and length policy for one send, as a refusal or undefined.
 * Rules that can never be relaxed come first, so the reason given is the real one.
 */
export function policyRefusal(
  g: GuardrailSettings,
  valid: ValidSend,
  segments: number,
  encoding: string,
  callingCodesOf: (countries: readonly string[]) => readonly string[],
): SmsError | undefined {
  const { toFacts: to, fromFacts: from } = valid;
  // By default: the sender's own country, or its calling code when its range is unknown.
  const countries = g.allowedCountries ?? (from.country ? [from.country] : []);
  const callingCodes =
    g.allowedCountries === undefined && !from.country
      ? [from.callingCode]
      : countries === "*"
        ? []
        : callingCodesOf(countries);
  // A number the owner listed explicitly is allowed whatever its country or type.
  const listed = g.allowList.includes(to.e164);
  const decision = firstRefusal([
    () => emergencyRule(to),
    () => denyListRule(to, g.denyList),
    () => allowListRule(to, g.allowList),
    () => (listed ? { allowed: true } : countryRule(to, countries, callingCodes)),
    () => (listed ? { allowed: true } : numberTypeRule(to, g.blockNonMobileTypes)),
    () => segmentRule(segments, encoding, g.maxSegments),
  ]);
  return decision.allowed
    ? undefined
    : new SmsError({
        category: decision.category,
        reason: decision.reason,
        retryable: decision.retryable,
      });
}
