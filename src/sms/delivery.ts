import type { AuditRecord } from "./ports/audit.js";
import type { DeliveryReport } from "./ports/provider.js";
import type { ProviderName } from "./providerNames.js";

/**
 * Where a text is after the provider took it, the same words for every provider:
 * queued (not yet handed to a carrier), sent (handed over, no receipt yet), delivered,
 * undelivered (a carrier or handset refused it), failed (it never left the provider).
 */
export const DELIVERY_STATES = [
  "queued",
  "sent",
  "delivered",
  "undelivered",
  "failed",
  "unknown",
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Every delivery state the three providers document for an outbound message, as ours. */
const STATE_OF: ReadonlyMap<string, DeliveryState> = new Map(
  Object.entries({
    accepted: "queued",
    scheduled: "queued",
    queued: "queued",
    sending: "queued",
    sent: "sent",
    delivery_unconfirmed: "sent",
    delivered: "delivered",
    read: "delivered",
    undelivered: "undelivered",
    delivery_failed: "undelivered",
    expired: "undelivered",
    failed: "failed",
    sending_failed: "failed",
    rejected: "failed",
    canceled: "failed",
  } satisfies Record<string, DeliveryState>),
);

/** A provider's status word, as one of the shared states. */
export function deliveryStateOf(providerStatus: string): DeliveryState {
  return STATE_OF.get(providerStatus) ?? "unknown";
}

/** Whether a provider documents `word` as a message's status. */
export function isProviderStatusWord(word: string): boolean {
  return STATE_OF.has(word);
}

/**
 * One sentence for the delivery errors people meet most, from each provider's error
 * reference: Twilio's 30003–30008, 30034, 30610, 30615 and 21610, Plivo's message error codes, Telnyx's 40xxx
 * delivery errors. Other codes get the provider's name and the code to look up.
 */
const EXPLANATIONS: Record<ProviderName, Record<string, string>> = {
  twilio: {
    "21610":
      "the recipient opted out (replied STOP) of texts from this sender; nothing reaches them until they reply START",
    "30003": "the handset is unreachable (switched off or out of coverage); try again later",
    "30004": "the recipient's carrier or the recipient blocked the text",
    "30005": "the number is unknown to its carrier, or no longer in service",
    "30006": "the number is a landline or its carrier cannot take texts",
    "30007":
      "the carrier filtered the text as spam or unwanted (content, links or an unregistered sender are the usual causes)",
    "30008": "the carrier gave no reason for refusing the text",
    "30034":
      "the sender is not registered for A2P 10DLC: US carriers block texts from unregistered 10-digit numbers; register a brand and campaign, or send through a registered Messaging Service",
    "30610":
      "local regulations (the TCPA in the US) do not allow this kind of text at this hour in the recipient's location: non-essential texts may go only between 8 a.m. and 9 p.m. their time; send it then, or set quietHours so such texts are held back before they reach the provider",
    "30615":
      "Twilio's Compliance Toolkit held the text back because it is the recipient's local quiet hours (9 p.m. to 8 a.m., or stricter where they live) and the text was treated as non-essential; send it within their daytime, or set quietHours so such texts are held back before they reach the provider",
  },
  plivo: {
    "10": "a carrier refused the text as an invalid message",
    "20": "the carrier's network had a problem; this is temporary, try again later",
    "30": "a carrier's spam filter blocked the text (in the US and Canada, texts from a long code not registered for 10DLC are the usual cause)",
    "40": "the sender is not a valid SMS-enabled source number on the account",
    "50": "the destination number is not valid, cannot take texts or is a landline",
    "60": "the carrier dropped the text as part of a loop between two auto-responders",
    "70": "the number is not in service (permanently unavailable)",
    "80": "the handset is unreachable (switched off or out of coverage); try again later",
    "90": "no carrier route was available for the number",
    "100": "the recipient's carrier does not take this kind of text",
    "110": "the text is longer than carriers accept",
    "200":
      "the recipient opted out (replied STOP) of texts from this number; nothing reaches them until they opt in again",
    "201": "US toll-free numbers cannot text Canadian numbers",
    "300": "Plivo could not hand the text to a carrier",
    "420": "the text expired before it could be delivered",
    "450": "the destination country is not enabled in the account's Geo Permissions",
    "900": "the account has not enough credit",
    "910": "the account is disabled",
    "1000": "the carriers gave no reason for the failure",
  },
  telnyx: {
    "40001": "the number is a landline or cannot receive texts",
    "40002": "a carrier's spam filter blocked the text (temporary)",
    "40003": "a carrier's spam filter blocked the sending number (permanent)",
    "40004": "the recipient's carrier refused the text without a reason",
    "40005": "the text expired before it could be delivered",
    "40006": "the recipient's carrier is unavailable; try again later",
    "40008": "the recipient's carrier did not accept the text",
    "40009": "a carrier refused the message body",
    "40010":
      "the sender is not registered for 10DLC: US carriers block texts from unregistered 10-digit numbers; register a brand and campaign and assign the number to it",
    "40011": "the carrier's rate limit was exceeded; send more slowly",
    "40012": "the carrier refused the destination number",
    "40013": "the carrier refused the sending number",
    "40014": "the text expired in Telnyx's queue before it was sent",
    "40015": "Telnyx's own spam filter blocked the text",
    "40300":
      "the recipient opted out (replied STOP) of texts from this messaging profile; nothing reaches them until they reply START",
  },
};

const STATE_SENTENCES: Record<DeliveryState, string> = {
  queued: "the provider has the text and has not handed it to a carrier yet",
  sent: "the text was handed to the carrier; no delivery receipt yet",
  delivered: "the carrier confirmed delivery to the handset",
  undelivered: "a carrier or the handset refused the text",
  failed: "the text never left the provider",
  unknown: "the provider reported a state sms-mcp does not know",
};

/** What a state and error code mean, in one sentence for a person or a model. */
export function explainDelivery(
  provider: ProviderName,
  state: DeliveryState,
  errorCode: string | undefined,
): string {
  if (!errorCode) return STATE_SENTENCES[state];
  return (
    EXPLANATIONS[provider][errorCode] ??
    `${STATE_SENTENCES[state]}; the provider's error code is ${errorCode} (see its error reference)`
  );
}

/** A state after which a text's delivery does not change any more. */
export function isFinalDelivery(state: string): boolean {
  return state === "delivered" || state === "undelivered" || state === "failed";
}

/** The audit log's `delivery` line: what the provider said of a text it took, and when. */
export function deliveryAuditRecord(
  connection: { label: string; provider: ProviderName },
  report: DeliveryReport,
  time: Date,
): AuditRecord & { delivery: DeliveryState } {
  return {
    time: time.toISOString(),
    connection: connection.label,
    provider: connection.provider,
    to: null,
    from: null,
    segments: null,
    encoding: null,
    outcome: "delivery",
    errorCategory: null,
    messageId: report.messageId,
    bodySha256: null,
    delivery: deliveryStateOf(report.providerStatus),
    deliveryErrorCode: report.errorCode ?? null,
  };
}
