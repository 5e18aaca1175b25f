import { SmsError, type SmsErrorCategory } from "../sms/errors.js";
import type {
  AccountInfo,
  DeliveryReport,
  OutgoingSms,
  ProviderCredentials,
  SenderNumber,
  SenderPool,
  SenderPoolState,
  SendReceipt,
  SmsProvider,
  StatusCallback,
  VerifiedCallback,
} from "../sms/ports/provider.js";
import { sha256 } from "../util/hash.js";
import {
  categoryForStatus,
  messageNotFound,
  parseRetryAfter,
  providerError,
  withMappedErrors,
} from "./providerErrors.js";
import { transportError } from "./transportErrors.js";
import type { ProviderOptions } from "./types.js";

type TelnyxCredentials = Extract<ProviderCredentials, { provider: "telnyx" }>;

const CODE_CATEGORIES: Record<string, SmsErrorCategory> = {
  "40310": "invalid_recipient",
  "40311": "invalid_recipient",
  "40305": "invalid_sender",
  "40013": "invalid_sender",
  "40300": "opted_out",
  "10009": "authentication",
  "10011": "rate_limited",
  "40302": "too_long",
};

interface TelnyxApiErrorShape {
  status?: number;
  error?: { errors?: Array<{ code?: unknown }> };
  headers?: { get(name: string): string | null };
}

/** @param lookup - the error answers a message lookup, where 404 means no such message. */
function toSmsError(error: unknown, lookup = false) {
  const transport = transportError("telnyx", error);
  if (transport) return transport;
  const { status, error: body, headers } = (error ?? {}) as TelnyxApiErrorShape;
  if (lookup && status === 404) return messageNotFound("telnyx");
  const code = body?.errors?.[0]?.code;
  // Telnyx's documented codes are 4 to 6 digits; anything else never reaches the answer.
  const providerCode =
    (typeof code === "string" || typeof code === "number") && /^\d{4,6}$/.test(String(code))
      ? String(code)
      : undefined;
  const category =
    (providerCode ? CODE_CATEGORIES[providerCode] : undefined) ?? categoryForStatus(status);
  return providerError("telnyx", category, {
    providerCode,
    status,
    retryAfterSeconds: parseRetryAfter(headers?.get?.("retry-after")),
  });
}

/** A message as Telnyx shows it: in a retrieve's answer and in a webhook's payload. */
interface TelnyxMessage {
  id?: unknown;
  to?: Array<{ status?: unknown }>;
  errors?: Array<{ code?: unknown }>;
}

/**
 * Telnyx refuses a webhook whose timestamp is more than 5 minutes from now, either way; a
 * replay must be remembered for as long as it would pass that check.
 */
const TIMESTAMP_WINDOW_MS = 10 * 60_000;

/** What a message says of its delivery, reported under `messageId`. */
function reportOf(message: TelnyxMessage | undefined, messageId: string): DeliveryReport {
  const status = message?.to?.[0]?.status;
  const code = message?.errors?.[0]?.code;
  return {
    messageId,
    providerStatus: typeof status === "string" ? status : "unknown",
    errorCode: typeof code === "string" || typeof code === "number" ? String(code) : undefined,
  };
}

export async function createTelnyxProvider(
  credentials: TelnyxCredentials,
  options: ProviderOptions,
): Promise<SmsProvider> {
  const { default: Telnyx } = await import("telnyx");
  const origin = options.apiBaseUrl ? new URL(options.apiBaseUrl).origin : undefined;
  const client = new Telnyx({
    apiKey: credentials.apiKey,
    ...(origin ? { baseURL: `${origin}/v2` } : {}),
    timeout: options.timeoutMs,
    // The SDK retries timeouts, 409 and 5xx by default with no idempotency key: a send that
    // timed out after Telnyx accepted it would text the person twice.
    maxRetries: 0,
    // TELNYX_LOG=debug would log requests to the console (stdout, on stdio) with their headers.
    logLevel: "off",
  });

  const { telnyxPublicKey } = options;
  const webhookUrl = telnyxPublicKey ? options.statusCallbackUrl : undefined;
  if (options.statusCallbackUrl && !telnyxPublicKey) {
    options.onStatusCallbacksOff?.(
      "Telnyx signs status callbacks with a key pair; set SMS_MCP_TELNYX_PUBLIC_KEY to the account's public key (Mission Control: Keys & Credentials) to receive them",
    );
  }

  /** telnyx-signature-ed25519 over `<telnyx-timestamp>|<body>`, within 5 minutes, by the SDK. */
  async function readStatusCallback(
    callback: StatusCallback,
  ): Promise<VerifiedCallback | undefined> {
    const signature = callback.headers["telnyx-signature-ed25519"];
    if (!telnyxPublicKey || !signature || callback.method !== "POST") return undefined;
    let event: unknown;
    try {
      event = await client.webhooks.unwrap(callback.body, {
        headers: callback.headers,
        key: telnyxPublicKey,
      });
    } catch {
      return undefined;
    }
    const payload = (event as { data?: { event_type?: unknown; payload?: TelnyxMessage } }).data;
    if (payload?.event_type !== "message.sent" && payload?.event_type !== "message.finalized") {
      return undefined;
    }
    const message = payload.payload;
    if (typeof message?.id !== "string") return undefined;
    return {
      report: reportOf(message, message.id),
      // What was signed, not the signature: base64 spells one signature several ways.
      replayKey: sha256(`${callback.headers["telnyx-timestamp"] ?? ""}|${callback.body}`),
      replayWindowMs: TIMESTAMP_WINDOW_MS,
    };
  }

  // Whatever the SDK throws, in any method, reaches the rest as an SmsError.
  return withMappedErrors(
    {
      name: "telnyx",

      readStatusCallback,

      async send(message: OutgoingSms): Promise<SendReceipt> {
        if (message.sender.kind === "alphanumeric" && !options.messagingProfileId) {
          throw new SmsError({
            category: "configuration",
            reason:
              "Telnyx sends from an alphanumeric sender ID only through a messaging profile; the account owner must set the connection's messagingProfileId (SMS_MCP_MESSAGING_PROFILE_ID)",
            retryable: false,
            certainlyNotSent: true,
          });
        }
        const { data } = await client.messages.send({
          from: message.sender.value,
          to: message.to,
          text: message.body,
          ...(options.messagingProfileId
            ? { messaging_profile_id: options.messagingProfileId }
            : {}),
          ...(webhookUrl ? { webhook_url: webhookUrl } : {}),
        });
        if (!data?.id) throw providerError("telnyx", "unknown");
        return {
          messageId: data.id,
          status: data.to?.[0]?.status ?? "queued",
          segments: data.parts,
          encoding: data.encoding,
        };
      },

      async messageStatus(messageId: string): Promise<DeliveryReport> {
        const { data } = await client.messages.retrieve(messageId);
        const message = data as TelnyxMessage | undefined;
        // The id Telnyx answered is checked like any answer; without one, the id asked for.
        return reportOf(message, typeof message?.id === "string" ? message.id : messageId);
      },

      async listSenderPools(): Promise<SenderPool[]> {
        const pools: SenderPool[] = [];
        for await (const profile of client.messagingProfiles.list({ "page[size]": 250 })) {
          if (profile.id)
            pools.push({ kind: "messaging_profile", id: profile.id, name: profile.name });
        }
        return pools;
      },

      /** A messaging profile sends while it is enabled. */
      async senderPoolState(pool: SenderPool): Promise<SenderPoolState> {
        const { data } = await client.messagingProfiles.retrieve(pool.id);
        return data?.enabled === false ? "disabled" : "ready";
      },

      async listSenders(): Promise<SenderNumber[]> {
        const senders: SenderNumber[] = [];
        for await (const n of client.phoneNumbers.messaging.list({ "page[size]": 250 })) {
          if (n.phone_number)
            senders.push({ number: n.phone_number, sms: n.features?.sms != null });
        }
        return senders;
      },

      async verify(): Promise<AccountInfo> {
        const { data } = await client.balance.retrieve();
        return {
          id: "telnyx",
          status: data?.balance
            ? `balance ${data.balance} ${data.currency ?? ""}`.trim()
            : undefined,
        };
      },
    },
    toSmsError,
  );
}
