import type TwilioRequestClient from "twilio/lib/base/RequestClient.js";
import type { MessageInstance } from "twilio/lib/rest/api/v2010/account/message.js";
import type { SmsErrorCategory } from "../sms/errors.js";
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
import { MESSAGING_SERVICE_SID } from "../sms/sender.js";
import { sha256 } from "../util/hash.js";
import { formFields, REPLAY_WINDOW_UNTIMED_MS } from "./callbackForms.js";
import {
  categoryForStatus,
  messageNotFound,
  providerError,
  withMappedErrors,
} from "./providerErrors.js";
import { readyWhenAnyHeld } from "./senderPools.js";
import { transportError } from "./transportErrors.js";
import type { ProviderOptions } from "./types.js";

type TwilioCredentials = Extract<ProviderCredentials, { provider: "twilio" }>;

/**
 * How far before an unknown attempt (by this machine's clock) the search for its message
 * reaches: far beyond any skew between this machine's clock and Twilio's, so a message that is
 * not in the listing back to then was certainly not taken.
 */
const SEARCH_BACK_MS = 24 * 60 * 60_000;
/**
 * An identical message created this close to the attempt (either side, either clock) is the
 * attempt's own; one found only further back may be an earlier identical text, and says
 * nothing conclusive about this attempt.
 */
const SAME_ATTEMPT_MS = 5 * 60_000;
/** Messages per page of the search, and the most pages it reads before giving up undecided. */
const SEARCH_PAGE_SIZE = 100;
const SEARCH_MAX_PAGES = 20;

const CODE_CATEGORIES: Record<number, SmsErrorCategory> = {
  21211: "invalid_recipient",
  21214: "invalid_recipient",
  21612: "invalid_recipient",
  21614: "invalid_recipient",
  21408: "invalid_recipient",
  21212: "invalid_sender",
  21603: "invalid_sender",
  21606: "invalid_sender",
  21659: "invalid_sender",
  21660: "invalid_sender",
  21610: "opted_out",
  20003: "authentication",
  20429: "rate_limited",
  21617: "too_long",
};

/** @param lookup - the error answers a message lookup, where 404 means no such message. */
function toSmsError(error: unknown, lookup = false) {
  const transport = transportError("twilio", error);
  if (transport) return transport;
  const { status, code } = error as { status?: number; code?: unknown };
  if (lookup && status === 404) return messageNotFound("twilio");
  // Twilio's documented codes are five digits; anything else never reaches the answer.
  const numericCode =
    typeof code === "number" && Number.isInteger(code) && code >= 10_000 && code <= 99_999
      ? code
      : undefined;
  const category =
    (numericCode !== undefined ? CODE_CATEGORIES[numericCode] : undefined) ??
    categoryForStatus(status);
  return providerError("twilio", category, {
    providerCode: numericCode?.toString(),
    status,
  });
}

export async function createTwilioProvider(
  credentials: TwilioCredentials,
  options: ProviderOptions,
): Promise<SmsProvider> {
  const { default: twilio } = await import("twilio");
  const origin = options.apiBaseUrl ? new URL(options.apiBaseUrl).origin : undefined;

  // The SDK has no base-URL option: a RequestClient that swaps the origin keeps every path real.
  class OriginRequestClient extends twilio.RequestClient {
    override request<TData>(opts: TwilioRequestClient.RequestOptions<TData>) {
      if (origin) {
        const url = new URL(opts.uri);
        opts = { ...opts, uri: `${origin}${url.pathname}${url.search}` };
      }
      return super.request(opts);
    }
  }

  const httpClient = new OriginRequestClient({ timeout: options.timeoutMs, autoRetry: false });
  // The SDK's request log prints each request, headers (the secret) included, with
  // console.log: stdout, the protocol's stream on stdio. It stays off whatever the
  // environment (TWILIO_LOG_LEVEL) says.
  const client = credentials.apiKeySid
    ? twilio(credentials.apiKeySid, credentials.secret, {
        accountSid: credentials.accountSid,
        httpClient,
        logLevel: "none",
      })
    : twilio(credentials.accountSid, credentials.secret, { httpClient, logLevel: "none" });

  // Twilio signs callbacks with the account's auth token, which an API-key connection lacks:
  // callbacks it could not verify are not asked for.
  const authToken = credentials.apiKeySid ? undefined : credentials.secret;
  const statusCallback = authToken ? options.statusCallbackUrl : undefined;
  if (options.statusCallbackUrl && !authToken) {
    options.onStatusCallbacksOff?.(
      "Twilio signs status callbacks with the account's auth token, and this connection uses an API key; use sms-mcp status, or connect with the auth token",
    );
  }

  /** X-Twilio-Signature: HMAC-SHA1 of the URL and the sorted form fields, with the auth token. */
  function readStatusCallback(callback: StatusCallback): VerifiedCallback | undefined {
    const signature = callback.headers["x-twilio-signature"];
    const fields = formFields(callback);
    if (!authToken || !signature || !fields) return undefined;
    if (!twilio.validateRequest(authToken, signature, callback.url, fields)) return undefined;
    const messageId = fields.MessageSid;
    const providerStatus = fields.MessageStatus ?? fields.SmsStatus;
    if (!messageId || !providerStatus) return undefined;
    return {
      report: { messageId, providerStatus, errorCode: fields.ErrorCode || undefined },
      // What was signed (the URL and the sorted fields), not the request's spelling of it: the
      // same fields in another order carry the same signature.
      replayKey: sha256(signedTwilioContent(callback.url, fields)),
      replayWindowMs: REPLAY_WINDOW_UNTIMED_MS,
    };
  }

  // Whatever the SDK throws, in any method, reaches the rest as an SmsError.
  return withMappedErrors(
    {
      name: "twilio",
      ...(authToken
        ? { readStatusCallback: async (c: StatusCallback) => readStatusCallback(c) }
        : {}),

      async send(message: OutgoingSms): Promise<SendReceipt> {
        // A Messaging Service picks the number itself: it is sent instead of From, not beside it.
        const sender =
          message.sender.kind === "messaging_service"
            ? { messagingServiceSid: message.sender.value }
            : { from: message.sender.value };
        const sent = await client.messages.create({
          to: message.to,
          body: message.body,
          ...sender,
          ...(statusCallback ? { statusCallback } : {}),
        });
        if (typeof sent.sid !== "string" || sent.sid === "")
          throw providerError("twilio", "unknown");
        const segments = Number(sent.numSegments);
        return {
          messageId: sent.sid,
          status: sent.status,
          segments: Number.isFinite(segments) && segments > 0 ? segments : undefined,
        };
      },

      async findSent({ to, from, body, since }): Promise<string | undefined> {
        // Newest first; a message Twilio took is listed from the moment it answered (or would
        // have answered) the send, with its body, whatever its delivery status. Every page back
        // to SEARCH_BACK_MS before the attempt is read: a text sent since then to the same
        // person (by anyone) must not hide this attempt's message from the search.
        const viaService = MESSAGING_SERVICE_SID.test(from);
        const filter = viaService ? { to } : { to, from };
        const identical = (m: MessageInstance) =>
          m.body === body &&
          (!viaService || m.messagingServiceSid === from) &&
          m.direction?.startsWith("outbound") === true;
        const createdAt = (m: MessageInstance) => m.dateCreated?.getTime() ?? Number.NaN;
        const searchedBack = since - SEARCH_BACK_MS;
        const found: MessageInstance[] = [];
        let page: {
          instances: MessageInstance[];
          nextPageUrl?: string | undefined;
          nextPage(): Promise<unknown> | undefined;
        } = await client.messages.page({ ...filter, pageSize: SEARCH_PAGE_SIZE });
        for (let pages = 1; ; pages++) {
          found.push(...page.instances.filter(identical));
          // A page that is all older than the search reaches ends it (an undated message, one
          // still queued, does not).
          if (page.instances.every((m) => createdAt(m) < searchedBack)) break;
          if (!page.nextPageUrl) break;
          if (pages >= SEARCH_MAX_PAGES) throw providerError("twilio", "unknown");
          page = (await page.nextPage()) as typeof page;
        }
        const own = found.find((m) => !(Math.abs(createdAt(m) - since) > SAME_ATTEMPT_MS));
        if (own) return own.sid;
        // An identical text further back: an earlier one, or this one under a skewed clock.
        if (found.some((m) => !(createdAt(m) < searchedBack))) {
          throw providerError("twilio", "unknown");
        }
        return undefined;
      },

      async messageStatus(messageId: string): Promise<DeliveryReport> {
        const message = await client.messages(messageId).fetch();
        return {
          messageId: message.sid,
          providerStatus: message.status,
          errorCode: message.errorCode == null ? undefined : String(message.errorCode),
        };
      },

      async listSenderPools(): Promise<SenderPool[]> {
        const services = await client.messaging.v1.services.list({ pageSize: 50 });
        return services.map((s) => ({
          kind: "messaging_service" as const,
          id: s.sid,
          name: s.friendlyName,
        }));
      },

      /** Ready when the service's sender pool holds a number, a short code or a sender ID. */
      async senderPoolState(pool: SenderPool): Promise<SenderPoolState> {
        const service = client.messaging.v1.services(pool.id);
        return await readyWhenAnyHeld([
          async () => (await service.phoneNumbers.list({ limit: 1 })).length,
          async () => (await service.shortCodes.list({ limit: 1 })).length,
          async () => (await service.alphaSenders.list({ limit: 1 })).length,
        ]);
      },

      async listSenders(): Promise<SenderNumber[]> {
        const numbers = await client.incomingPhoneNumbers.list({ pageSize: 50 });
        return numbers.map((n) => ({ number: n.phoneNumber, sms: n.capabilities?.sms === true }));
      },

      async verify(): Promise<AccountInfo> {
        const account = await client.api.v2010.accounts(credentials.accountSid).fetch();
        return { id: account.sid, name: account.friendlyName, status: account.status };
      },
    },
    toSmsError,
  );
}

/** The text Twilio signs for a form callback: the URL, then each field's name and value, sorted by name. */
function signedTwilioContent(url: string, fields: Record<string, string>): string {
  let content = url;
  for (const name of Object.keys(fields).sort()) content += `${name}${fields[name]}`;
  return content;
}
