import type { ProviderCredentials, ProviderName } from "../providers/types.js";
import type { GuardrailSettings } from "../sms/guardrails/settings.js";

/** A connection ready to use: what the server needs, with the secret fetched only on demand. */
export interface ResolvedConnection {
  id: string;
  label: string;
  provider: ProviderName;
  defaultFrom: string | undefined;
  apiBaseUrl: string | undefined;
  guardrails: GuardrailSettings;
  loadCredentials(): Promise<ProviderCredentials>;
}
