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
import { formFields, REPLAY_WINDOW_UNTIMED_MS } from "./callbackForms.js";
import { PROVIDER_API_ORIGINS } from "./origins.js";
import {
  categoryForStatus,
  messageNotFound,
  providerError,
  withMappedErrors,
} from "./providerErrors.js";
import { readyWhenAnyHeld } from "./senderPools.js";
import { transportError } from "./transportErrors.js";
import type { ProviderOptions } from "./types.js";

type PlivoCredentials = Extract<ProviderCredentials, { provider: "plivo" }>;

/** The slice of the untyped plivo SDK this adapter uses (it camel-cases response keys). */
interface PlivoClient {
  messages: {
    create(
      params: { dst: string; text: string; url?: string; method?: "POST" } & (
        | { src: string }
        | { powerpackUUID: string }
      ),
    ): Promise<{
      messageUuid?: string[];
      message?: string;
    }>;
    get(id: string): Promise<{
      messageUuid?: string;
      messageState?: string;
      errorCode?: string | number | null;
    }>;
  };
  numbers: {
    list(params: {
      services: string;
      limit: number;
      offset: number;
    }): Promise<PlivoPage<{ number?: string; smsEnabled?: boolean }>>;
  };
  accounts: { get(): Promise<{ authId?: string; name?: string; accountType?: string }> };
  powerpacks: {
    list(params: { limit: number; offset: number }): Promise<PlivoPage<PlivoPowerpack>>;
    get(uuid: string): Promise<PlivoPowerpack>;
  };
}

/** A Powerpack as the SDK returns it: its fields, and listings of its number pool. */
interface PlivoPowerpack {
  uuid?: string;
  name?: string;
  list_numbers(): Promise<{ objects?: unknown[] }>;
  list_shortcodes(): Promise<{ objects?: unknown[] }>;
  list_tollfree(): Promise<{ objects?: unknown[] }>;
}

/** A listing as the SDK answers it: the page's objects, with the response's `meta` on the array. */
type PlivoPage<T> = T[] & { meta?: { next?: string | null } };

type PlivoModule = {
  Client: new (authId: string, authToken: string, options: object) => PlivoClient;
  validateV3Signature(
    method: string,
    uri: string,
    nonce: string,
    authToken: string,
    signature: string,
    params?: Record<string, string>,
  ): boolean;
};

const PAGE_SIZE = 20;

/** Plivo's error bodies carry only a sentence, so the sentence decides the category. */
function categoryForMessage(message: string): SmsErrorCategory | undefined {
  const text = message.toLowerCase();
  if (/opt(ed)?[ -]?out|unsubscribed|\bstop\b/.test(text)) return "opted_out";
  if (/\b(dst|destination)\b/.test(text)) return "invalid_recipient";
  if (/\b(src|source)\b/.test(text)) return "invalid_sender";
  if (/too long|exceeds|length/.test(text)) return "too_long";
  return undefined;
}

function statusFromText(text: string): number | undefined {
  const match = /status code (\d{3})/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** @param lookup - the error answers a message lookup, where 404 means no such message. */
function toSmsError(error: unknown, lookup = false) {
  const transport = transportError("plivo", error);
  if (transport) return transport;
  // Branch on `.status`: the SDK's error subclasses do not survive its transpilation for instanceof,
  // and a 429 arrives as a plain Error whose text holds the status.
  const { status: rawStatus, message } = (error ?? {}) as { status?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  const status = typeof rawStatus === "number" ? rawStatus : statusFromText(text);
  if (lookup && status === 404) return messageNotFound("plivo");
  const category =
    status === 401 || status === 429 || (status ?? 0) >= 500
      ? categoryForStatus(status)
      : (categoryForMessage(text) ?? categoryForStatus(status));
  return providerError("plivo", category, { status });
}

export async function createPlivoProvider(
  credentials: PlivoCredentials,
  options: ProviderOptions,
): Promise<SmsProvider> {
  const plivo = (await import("plivo")) as unknown as PlivoModule & { default?: PlivoModule };
  const { Client, validateV3Signature } = plivo.default ?? plivo;
  const origin = options.apiBaseUrl
    ? new URL(options.apiBaseUrl).origin
    : PROVIDER_API_ORIGINS.plivo;
  const client = new Client(credentials.authId, credentials.authToken, {
    url: `${origin}/v1/Account/${credentials.authId}`,
    // The SDK sets no timeout on message requests: without one a stalled send hangs forever.
    timeout: options.timeoutMs,
  });

  const { statusCallbackUrl } = options;

  /** X-Plivo-Signature-V3: HMAC-SHA256 of the URL, the sorted fields and the nonce. */
  function readStatusCallback(callback: StatusCallback): VerifiedCallback | undefined {
    const signature = callback.headers["x-plivo-signature-v3"];
    const nonce = callback.headers["x-plivo-signature-v3-nonce"];
    const fields = formFields(callback);
    if (!signature || !nonce || !fields) return undefined;
    const genuine = validateV3Signature(
      callback.method,
      callback.url,
      nonce,
      credentials.authToken,
      signature,
      fields,
    );
    const messageId = fields.MessageUUID;
    const providerStatus = fields.Status;
    if (!genuine || !messageId || !providerStatus) return undefined;
    const code = fields.ErrorCode;
    return {
      report: {
        messageId,
        providerStatus,
        errorCode: !code || /^0*$/.test(code) ? undefined : code,
      },
      replayKey: nonce,
      replayWindowMs: REPLAY_WINDOW_UNTIMED_MS,
    };
  }

  // Whatever the SDK throws, in any method, reaches the rest as an SmsError.
  return withMappedErrors(
    {
      name: "plivo",

      readStatusCallback: async (callback) => readStatusCallback(callback),

      async send(message: OutgoingSms): Promise<SendReceipt> {
        // A Powerpack picks the number itself: powerpack_uuid is sent instead of src.
        const sender =
          message.sender.kind === "powerpack"
            ? { powerpackUUID: message.sender.value }
            : { src: message.sender.value };
        const response = await client.messages.create({
          dst: message.to,
          text: message.body,
          ...sender,
          ...(statusCallbackUrl ? { url: statusCallbackUrl, method: "POST" as const } : {}),
        });
        const messageId = response.messageUuid?.[0];
        if (!messageId) throw providerError("plivo", "unknown");
        return { messageId, status: "queued" };
      },

      async messageStatus(messageId: string): Promise<DeliveryReport> {
        const message = await client.messages.get(messageId);
        const code = message.errorCode;
        return {
          messageId: message.messageUuid ?? messageId,
          providerStatus: message.messageState ?? "unknown",
          // Plivo reports "000" (or nothing) when there is no error.
          errorCode: code == null || /^0*$/.test(String(code)) ? undefined : String(code),
        };
      },

      async listSenderPools(): Promise<SenderPool[]> {
        const pools: SenderPool[] = [];
        for (let offset = 0; ; offset += PAGE_SIZE) {
          const page = await client.powerpacks.list({ limit: PAGE_SIZE, offset });
          for (const p of page) {
            if (typeof p.uuid === "string") {
              pools.push({ kind: "powerpack", id: p.uuid, name: p.name });
            }
          }
          if (!page.meta?.next || page.length === 0) return pools;
        }
      },

      /** Ready when the Powerpack's number pool holds a number, a short code or a toll-free number. */
      async senderPoolState(pool: SenderPool): Promise<SenderPoolState> {
        const powerpack = await client.powerpacks.get(pool.id);
        return await readyWhenAnyHeld([
          async () => (await powerpack.list_numbers()).objects?.length ?? 0,
          async () => (await powerpack.list_shortcodes()).objects?.length ?? 0,
          async () => (await powerpack.list_tollfree()).objects?.length ?? 0,
        ]);
      },

      async listSenders(): Promise<SenderNumber[]> {
        const senders: SenderNumber[] = [];
        for (let offset = 0; ; offset += PAGE_SIZE) {
          const page = await client.numbers.list({ services: "sms", limit: PAGE_SIZE, offset });
          for (const n of page) {
            if (n.number)
              senders.push({
                number: `+${n.number.replace(/^\+/, "")}`,
                sms: n.smsEnabled !== false,
              });
          }
          if (!page.meta?.next || page.length === 0) return senders;
        }
      },

      async verify(): Promise<AccountInfo> {
        const account = await client.accounts.get();
        return {
          id: account.authId ?? credentials.authId,
          name: account.name,
          status: account.accountType,
        };
      },
    },
    toSmsError,
  );
}
