import type { ProviderName } from "../sms/providerNames.js";

/** Where each provider's API lives when a connection sets no `apiBaseUrl`. */
export const PROVIDER_API_ORIGINS: Record<ProviderName, string> = {
  twilio: "https://api.twilio.com",
  plivo: "https://api.plivo.com",
  telnyx: "https://api.telnyx.com",
};
