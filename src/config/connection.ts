import type { GuardrailSettings } from "../sms/guardrails/settings.js";
import type { ProviderCredentials } from "../sms/ports/provider.js";
import type { ProviderName } from "../sms/providerNames.js";

/** A connection ready to use: plain settings, with the secret fetched only on demand. */
export interface ResolvedConnection {
  id: string;
  label: string;
  provider: ProviderName;
  defaultFrom: string | undefined;
  /** Other senders from_ may name; undefined leaves a from_ number to the provider. */
  senders: string[] | undefined;
  /** Telnyx: the messaging profile every text is sent through. */
  messagingProfileId: string | undefined;
  apiBaseUrl: string | undefined;
  guardrails: GuardrailSettings;
  /** The audit log this connection writes: SMS_MCP_AUDIT_LOG, its own, or the default. */
  auditLogPath: string;
  loadCredentials(): Promise<ProviderCredentials>;
}
