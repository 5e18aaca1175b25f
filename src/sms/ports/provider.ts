import type { ProviderName } from "../providerNames.js";
import type { Sender } from "../sender.js";

export interface OutgoingSms {
  to: string;
  /** The sender's value: what the dedupe key, the answer and the audit log name. */
  from: string;
  /** Which kind of sender: decides the wire field (From, MessagingServiceSid, powerpack_uuid). */
  sender: Sender;
  body: string;
}

export interface SendReceipt {
  messageId: string;
  status: string;
  segments?: number | undefined;
  encoding?: string | undefined;
}

/** What the provider says of a message it took, as `sms-mcp status` asks. */
export interface DeliveryReport {
  messageId: string;
  /** The provider's own status word (`delivered`, `undelivered`, `delivery_failed`…). */
  providerStatus: string;
  /** The provider's delivery error code, when it gave one. */
  errorCode?: string | undefined;
}

/**
 * A request that says it is the provider's report on a text (a status callback), as it
 * arrived: nothing in it is trusted until the provider's signature on it is checked.
 */
export interface StatusCallback {
  /** The URL the provider was asked to call, as it called it: the public URL, path and query. */
  url: string;
  method: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** A status callback whose signature checked out. */
export interface VerifiedCallback {
  report: DeliveryReport;
  /** Unique to this delivery of the callback: a replay of it carries the same key. */
  replayKey: string;
  /** How long a replay of it could still pass the signature check (its timestamp's window). */
  replayWindowMs: number;
}

/** A sender that is not one number: a Twilio Messaging Service, a Plivo Powerpack, a Telnyx profile. */
export interface SenderPool {
  kind: "messaging_service" | "powerpack" | "messaging_profile";
  /** `MG…`, or the Powerpack's or profile's UUID. */
  id: string;
  name?: string | undefined;
}

/**
 * Whether a pool can send now: `ready`; `empty` (no number, short code or sender ID in it);
 * `disabled` (switched off at the provider).
 */
export type SenderPoolState = "ready" | "empty" | "disabled";

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
  /** The account's messaging services / Powerpacks / messaging profiles; optional. */
  listSenderPools?(): Promise<SenderPool[]>;
  /** Whether one of those pools can send now; optional. Throws an SmsError when it cannot tell. */
  senderPoolState?(pool: SenderPool): Promise<SenderPoolState>;
  verify(): Promise<AccountInfo>;
  /** Loads what the first send needs (SDK, credentials) ahead of it; optional. */
  prepare?(): Promise<void>;
  /**
   * Where the provider's API lists recent messages: the id of an outbound message with exactly
   * this recipient, sender and text, created at or after `since`, or undefined when there is
   * none. Used to settle an attempt whose outcome was unknown. Throws when it cannot tell.
   */
  findSent?(lookup: SentLookup): Promise<string | undefined>;
  /** The delivery status of a message the provider took. Throws an SmsError when it cannot. */
  messageStatus?(messageId: string): Promise<DeliveryReport>;
  /**
   * Checks a status callback's signature as the provider documents it and reads its report;
   * undefined when it is unsigned, mis-signed, stale or unreadable, or when the connection's
   * credentials cannot verify it (a Twilio API key; Telnyx without the public key).
   */
  readStatusCallback?(callback: StatusCallback): Promise<VerifiedCallback | undefined>;
}

export interface SentLookup {
  to: string;
  from: string;
  body: string;
  /** Milliseconds since the epoch. */
  since: number;
}

/**
 * What a provider adapter is built from. Config produces it and the provider factory consumes
 * it; the domain never reads it.
 */
export type ProviderCredentials =
  | { provider: "twilio"; accountSid: string; apiKeySid?: string | undefined; secret: string }
  | { provider: "plivo"; authId: string; authToken: string }
  | { provider: "telnyx"; apiKey: string };
