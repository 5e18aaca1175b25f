import type { ProviderCredentials } from "../sms/ports/provider.js";
import type { UntrustedReport } from "./untrusted.js";

export interface ProviderOptions {
  credentials: ProviderCredentials;
  /** An origin such as http://127.0.0.1:4010; the provider's real paths are kept under it. */
  apiBaseUrl?: string | undefined;
  /** Bounds each provider call; the default is owned by config (SMS_MCP_TIMEOUT_MS). */
  timeoutMs: number;
  /**
   * Telnyx: the connection's messaging profile, sent as `messaging_profile_id` with every
   * text (required for an alphanumeric sender). Default: none.
   */
  messagingProfileId?: string | undefined;
  /** Told when an answer's field was outside its documented format and replaced. */
  onUntrusted?: UntrustedReport | undefined;
}
