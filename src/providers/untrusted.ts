import { isProviderStatusWord } from "../sms/delivery.js";
import { E164_SHAPE } from "../sms/e164.js";
import type {
  DeliveryReport,
  SenderNumber,
  SenderPool,
  SendReceipt,
  SmsProvider,
} from "../sms/ports/provider.js";
import type { ProviderName } from "../sms/providerNames.js";
import { MESSAGING_SERVICE_SID, UUID_SHAPE } from "../sms/sender.js";
import { type AnswerOf, aroundEveryCall, type ProviderMethod } from "./decorate.js";

/** Each provider's documented message id: Twilio SM/MM + 32 hex, Plivo and Telnyx a UUID. */
const MESSAGE_ID: Record<ProviderName, RegExp> = {
  twilio: /^(SM|MM)[0-9a-f]{32}$/,
  plivo: UUID_SHAPE,
  telnyx: UUID_SHAPE,
};

/** A value outside its documented format was replaced; told its field and length, never it. */
export type UntrustedReport = (field: string, length: number) => void;

/** What stands in for a message id the provider answered in no documented format. */
export const UNRECOGNIZED_ID = "unrecognized";

function lengthOf(value: unknown): number {
  return typeof value === "string" ? value.length : String(value).length;
}

/** A message id in the provider's documented format, or the neutral stand-in (reported). */
function checkedMessageId(provider: ProviderName, id: unknown, report: UntrustedReport): string {
  if (typeof id === "string" && MESSAGE_ID[provider].test(id)) return id;
  report("messageId", lengthOf(id));
  return UNRECOGNIZED_ID;
}

/** A documented status word, or "unknown" (reported). */
function checkedStatus(status: unknown, report: UntrustedReport): string {
  if (typeof status === "string" && isProviderStatusWord(status)) return status;
  report("status", lengthOf(status));
  return "unknown";
}

/**
 * A provider's answer to a send, checked field by field against the provider's documented
 * formats before it can reach the tool result, a log or the audit log: anything else (an echo
 * of the request's Authorization header, a proxy's HTML, a megabyte of text) is replaced by a
 * neutral value. The text was taken (a 2xx), so the receipt stands; only its fields change.
 */
export function checkedReceipt(
  provider: ProviderName,
  raw: SendReceipt,
  report: UntrustedReport,
): SendReceipt {
  let { segments, encoding } = raw;
  const messageId = checkedMessageId(provider, raw.messageId, report);
  const status = checkedStatus(raw.status, report);
  if (segments !== undefined && !(Number.isInteger(segments) && segments >= 1 && segments <= 100)) {
    report("segments", lengthOf(segments));
    segments = undefined;
  }
  if (encoding !== undefined && encoding !== "GSM-7" && encoding !== "UCS-2") {
    report("encoding", lengthOf(encoding));
    encoding = undefined;
  }
  return { messageId, status, segments, encoding };
}

/** Whether `id` has the provider's documented message id format. */
export function isMessageId(provider: ProviderName, id: string): boolean {
  return MESSAGE_ID[provider].test(id);
}

/** A delivery report, field by field: an undocumented status word or error code is dropped. */
function checkedReport(
  provider: ProviderName,
  raw: DeliveryReport,
  report: UntrustedReport,
): DeliveryReport {
  let { errorCode } = raw;
  const messageId = checkedMessageId(provider, raw.messageId, report);
  const providerStatus = checkedStatus(raw.providerStatus, report);
  if (errorCode !== undefined && !/^\d{1,6}$/.test(String(errorCode))) {
    report("errorCode", lengthOf(errorCode));
    errorCode = undefined;
  }
  return { messageId, providerStatus, errorCode };
}

/** Numbers the provider lists; an entry that is not E.164 is dropped, never shown. */
function checkedSenders(senders: SenderNumber[], report: UntrustedReport): SenderNumber[] {
  return senders.filter((sender) => {
    const ok = typeof sender.number === "string" && E164_SHAPE.test(sender.number);
    if (!ok) report("number", lengthOf(sender.number));
    return ok;
  });
}

const POOL_ID: Record<SenderPool["kind"], RegExp> = {
  messaging_service: MESSAGING_SERVICE_SID,
  powerpack: UUID_SHAPE,
  messaging_profile: UUID_SHAPE,
};

/** Pools the provider lists; one whose id is not in its documented format is dropped. */
function checkedPools(pools: SenderPool[], report: UntrustedReport): SenderPool[] {
  return pools.flatMap((pool) => {
    if (typeof pool.id !== "string" || !POOL_ID[pool.kind]?.test(pool.id)) {
      report("sender pool id", lengthOf(pool.id));
      return [];
    }
    return [
      { kind: pool.kind, id: pool.id, name: checkedText(pool.name, "sender pool name", report) },
    ];
  });
}

/** Short printable text from a provider (an account name or status), or nothing. */
function checkedText(value: string | undefined, field: string, report: UntrustedReport) {
  if (value === undefined) return undefined;
  if (/^[\p{L}\p{N} .,&'()_-]{1,64}$/u.test(value)) return value;
  report(field, lengthOf(value));
  return undefined;
}

/** How each method's answer is checked; every method of the port has an entry. */
type AnswerChecks = {
  [M in ProviderMethod]: (answer: AnswerOf<M>, provider: ProviderName) => AnswerOf<M>;
};

/** Wraps an adapter so that none of its answers reaches the rest unchecked. */
export function withCheckedAnswers(provider: SmsProvider, report: UntrustedReport): SmsProvider {
  const checks: AnswerChecks = {
    send: (receipt, name) => checkedReceipt(name, receipt, report),
    listSenders: (senders) => checkedSenders(senders, report),
    listSenderPools: (pools) => checkedPools(pools, report),
    // The adapter derives the state from counts and flags: no provider words to check.
    senderPoolState: (state) => state,
    verify: (account) => ({
      id: checkedText(account.id, "account id", report) ?? UNRECOGNIZED_ID,
      name: checkedText(account.name, "account name", report),
      status: checkedText(account.status, "account status", report),
    }),
    prepare: () => undefined,
    findSent: (id, name) => (id === undefined ? undefined : checkedMessageId(name, id, report)),
    messageStatus: (delivery, name) => checkedReport(name, delivery, report),
    // Signed by the provider, so genuine; still its words, checked like any other answer.
    readStatusCallback: (verified, name) => {
      if (!verified) return undefined;
      if (!isMessageId(name, verified.report.messageId)) {
        report("messageId", lengthOf(verified.report.messageId));
        return undefined;
      }
      return { ...verified, report: checkedReport(name, verified.report, report) };
    },
  };
  return aroundEveryCall(provider, async (method, run) => {
    const check = checks[method] as (
      answer: AnswerOf<typeof method>,
      name: ProviderName,
    ) => AnswerOf<typeof method>;
    return check(await run(), provider.name);
  });
}
