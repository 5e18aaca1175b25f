export const PROVIDER_NAMES = ["twilio", "plivo", "telnyx"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === "string" && (PROVIDER_NAMES as readonly string[]).includes(value);
}

export const PROVIDER_TITLES: Record<ProviderName, string> = {
  twilio: "Twilio",
  plivo: "Plivo",
  telnyx: "Telnyx",
};

export type ProviderCredentials =
  | { provider: "twilio"; accountSid: string; apiKeySid?: string | undefined; secret: string }
  | { provider: "plivo"; authId: string; authToken: string }
  | { provider: "telnyx"; apiKey: string };

export interface ProviderOptions {
  credentials: ProviderCredentials;
  /** An origin such as http://127.0.0.1:4010; the provider's real paths are kept under it. */
  apiBaseUrl?: string | undefined;
  timeoutMs: number;
}

export interface OutgoingSms {
  to: string;
  from: string;
  body: string;
}

export interface SendReceipt {
  messageId: string;
  status: string;
  segments?: number | undefined;
  encoding?: string | undefined;
}

export interface SenderNumber {
  number: string;
  sms: boolean;
}

export interface AccountInfo {
  id: string;
  name?: string | undefined;
  status?: string | undefined;
}

/** One interface over the three providers; every failure is thrown as an SmsError. */
export interface SmsProvider {
  readonly name: ProviderName;
  send(message: OutgoingSms): Promise<SendReceipt>;
  listSenders(): Promise<SenderNumber[]>;
  verify(): Promise<AccountInfo>;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
