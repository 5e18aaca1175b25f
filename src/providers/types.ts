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
  /**
   * Where the provider is asked to report each text's delivery (`<public url>/status/<id>`).
   * Asked only when this adapter can check the provider's signature on those reports; else
   * `onStatusCallbacksOff` is told why. Default: none (no callbacks).
   */
  statusCallbackUrl?: string | undefined;
  /** Telnyx: the account's webhook public key (base64, from the portal). Default: none. */
  telnyxPublicKey?: string | undefined;
  /** Told, once, why status callbacks stay off although a callback URL was given. */
  onStatusCallbacksOff?: ((reason: string) => void) | undefined;
  /** Told when an answer's field was outside its documented format and replaced. */
  onUntrusted?: UntrustedReport | undefined;
}
