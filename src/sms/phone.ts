import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";
import { E164_SHAPE } from "./e164.js";
import type { NumberFacts } from "./guardrails/rules.js";
import { quote } from "./quote.js";

// The full ("max") metadata: one parse gives both the E.164 check and the facts the
// guardrails need (country, number type). This module is loaded on the first send.
export type PhoneCheck = ({ ok: true } & NumberFacts) | { ok: false; reason: string };

/**
 * Accepts only E.164 (`+`, country code, digits) of a length possible for that country.
 * Anything else is refused with a reason that shows the person-checkable E.164 form when
 * there is one, and never guesses a country code (prefixing `+` to the US national
 * 2125551234 would text Morocco).
 * @param homeCallingCode where a number written without a country code most likely is (the
 *   calling code of the connection's sender, e.g. "1"): its E.164 form there is shown to
 *   confirm with the person, never used
 */
export function checkE164(
  raw: string,
  role: "recipient" | "sender",
  homeCallingCode?: string,
): PhoneCheck {
  const known = accepted.get(raw);
  if (known) return known;
  const result = check(raw, role, homeCallingCode);
  if (result.ok) {
    if (accepted.size >= CACHE_SIZE) accepted.delete(accepted.keys().next().value as string);
    accepted.set(raw, result);
  }
  return result;
}

/** Senders (and regular recipients) repeat on every send: remember recent accepted numbers. */
const accepted = new Map<string, PhoneCheck & { ok: true }>();
const CACHE_SIZE = 512;

function check(raw: string, role: "recipient" | "sender", homeCallingCode?: string): PhoneCheck {
  const value = raw.trim();
  if (value === "") {
    return {
      ok: false,
      reason: `the ${role} number is empty; give it in E.164 format, like +15551234567`,
    };
  }
  if (E164_SHAPE.test(value)) {
    // The whole value is already E.164-shaped: nothing to extract from surrounding text.
    const parsed = parsePhoneNumberFromString(value, { extract: false });
    if (parsed?.isPossible()) {
      return {
        ok: true,
        e164: parsed.number,
        country: parsed.country,
        callingCode: parsed.countryCallingCode,
        type: parsed.getType(),
        nationalNumber: parsed.nationalNumber,
      };
    }
    return {
      ok: false,
      reason: `${value} is not a valid phone number in E.164 format: it has the wrong number of digits for its country code; confirm the number with the person`,
    };
  }
  const suggestion = obviousE164(value);
  if (suggestion) {
    return {
      ok: false,
      reason: `${quote(value)} is not in E.164 format; if the person meant ${suggestion}, confirm it with them and send it written exactly like that (no spaces or punctuation)`,
    };
  }
  if (/^[\d\s().-]+$/.test(value) && /\d{6,}/.test(value.replace(/\D/g, ""))) {
    const national = homeCallingCode && nationalReading(value, homeCallingCode);
    return {
      ok: false,
      reason: national
        ? `${quote(value)} has no country code; if the person meant ${national} (read as a +${homeCallingCode} number, like this connection's sender), confirm it with them and send it written exactly like that; otherwise ask them which country the number is in`
        : `${quote(value)} has no country code; ask the person which country the number is in and write it in E.164 format, like +15551234567 for a US number`,
    };
  }
  return {
    ok: false,
    reason: `${quote(value)} is not a valid phone number in E.164 format (+ then country code and number, no spaces, like +15551234567)`,
  };
}

/** The E.164 form of a number written nationally under a calling code, if it is possible there. */
function nationalReading(value: string, callingCode: string): string | undefined {
  const parsed = parsePhoneNumberFromString(value, {
    defaultCallingCode: callingCode,
    extract: false,
  });
  return parsed?.isPossible() ? parsed.number : undefined;
}

/** The E.164 form of a number written with a `+` or `00` prefix and punctuation, if possible. */
function obviousE164(value: string): string | undefined {
  const compact = value.replace(/[\s().-]/g, "");
  let international: string | undefined;
  if (/^\+\d+$/.test(compact)) international = compact;
  else if (/^00[1-9]\d+$/.test(compact)) international = `+${compact.slice(2)}`;
  if (!international || !E164_SHAPE.test(international)) return undefined;
  return parsePhoneNumberFromString(international)?.isPossible() ? international : undefined;
}

/**
 * Calling codes of ISO countries, for numbers in ranges too new for the metadata. Asked on
 * every send with the same few lists (the configured one, or the sender's country), so each
 * answer is kept.
 */
export function callingCodesOf(countries: readonly string[]): readonly string[] {
  const key = countries.join(",");
  let codes = callingCodesByList.get(key);
  if (codes === undefined) {
    codes = countries
      .filter((c): c is CountryCode => isSupportedCountry(c))
      .map((c) => getCountryCallingCode(c));
    callingCodesByList.set(key, codes);
  }
  return codes;
}

const callingCodesByList = new Map<string, readonly string[]>();
