export const PROVIDER_NAMES = ["twilio", "plivo", "telnyx"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === "string" && (PROVIDER_NAMES as readonly string[]).includes(value);
}

/** How each provider is named in sentences for people and models. */
export const PROVIDER_TITLES: Record<ProviderName, string> = {
  twilio: "Twilio",
  plivo: "Plivo",
  telnyx: "Telnyx",
};
