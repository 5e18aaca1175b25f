import type { CountryCode } from "libphonenumber-js/max";
import type { NumberFacts } from "./guardrails/rules.js";

type MaxModule = typeof import("libphonenumber-js/max");
let loading: Promise<MaxModule> | undefined;

/** The full metadata (number types) is 150 KB: loaded on the first send, not at start-up. */
function metadata(): Promise<MaxModule> {
  loading ??= import("libphonenumber-js/max");
  return loading;
}

export async function numberFacts(e164: string): Promise<NumberFacts> {
  const { parsePhoneNumberFromString } = await metadata();
  const parsed = parsePhoneNumberFromString(e164);
  return {
    e164,
    country: parsed?.country,
    callingCode: parsed?.countryCallingCode ?? "",
    type: parsed?.getType(),
    nationalNumber: parsed?.nationalNumber ?? e164.slice(1),
  };
}

/** Calling codes of ISO countries, for numbers in ranges too new for the metadata. */
export async function callingCodesOf(countries: readonly string[]): Promise<string[]> {
  const { getCountryCallingCode, isSupportedCountry } = await metadata();
  return countries
    .filter((c): c is CountryCode => isSupportedCountry(c))
    .map((c) => getCountryCallingCode(c));
}

export function preloadNumberMetadata(): void {
  void metadata();
}
