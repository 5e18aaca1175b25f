// What happens to a text after the simulated provider took it: every recipient's text ends
// delivered, except the reserved delivery recipients', which end as a real carrier would
// refuse them, with each provider's own status word and error code.

/** Recipients whose texts end undelivered or failed when their status is looked up. */
export const DELIVERY_RECIPIENTS = {
  "+15005550020": "filtered",
  "+15005550021": "unregistered_sender",
  "+15005550022": "unknown_number",
  "+15005550023": "opted_out",
} as const;

type DeliveryScenario = (typeof DELIVERY_RECIPIENTS)[keyof typeof DELIVERY_RECIPIENTS];
type Provider = "twilio" | "plivo" | "telnyx";

interface Outcome {
  status: string;
  errorCode: string | null;
  title: string | null;
}

const OUTCOMES: Record<DeliveryScenario, Record<Provider, Outcome>> = {
  filtered: {
    twilio: { status: "undelivered", errorCode: "30007", title: "Message filtered" },
    plivo: { status: "undelivered", errorCode: "30", title: "Spam Detected" },
    telnyx: { status: "delivery_failed", errorCode: "40002", title: "Blocked as spam - temporary" },
  },
  unregistered_sender: {
    twilio: { status: "failed", errorCode: "30034", title: "Message from an Unregistered Number" },
    plivo: { status: "failed", errorCode: "40", title: "Invalid Source Number" },
    telnyx: {
      status: "sending_failed",
      errorCode: "40010",
      title: "Unregistered 10DLC message",
    },
  },
  unknown_number: {
    twilio: { status: "undelivered", errorCode: "30005", title: "Unknown destination handset" },
    plivo: { status: "undelivered", errorCode: "50", title: "Invalid Destination Number" },
    telnyx: { status: "delivery_failed", errorCode: "40012", title: "Invalid destination number" },
  },
  // The recipient replied STOP after an earlier text: Twilio fails a Messaging Service's send
  // with 21610, Plivo and Telnyx report it on delivery.
  opted_out: {
    twilio: {
      status: "failed",
      errorCode: "21610",
      title: "Attempt to send to unsubscribed recipient",
    },
    plivo: {
      status: "undelivered",
      errorCode: "200",
      title: "Source number blocked by STOP from destination number",
    },
    telnyx: { status: "delivery_failed", errorCode: "40300", title: "Blocked due to STOP message" },
  },
};

const DELIVERED: Record<Provider, Outcome> = {
  twilio: { status: "delivered", errorCode: null, title: null },
  plivo: { status: "delivered", errorCode: null, title: null },
  telnyx: { status: "delivered", errorCode: null, title: null },
};

/** How the text to `to` ends at `provider`. */
export function deliveryOutcome(provider: Provider, to: unknown): Outcome {
  const scenario =
    typeof to === "string"
      ? DELIVERY_RECIPIENTS[to as keyof typeof DELIVERY_RECIPIENTS]
      : undefined;
  return scenario ? OUTCOMES[scenario][provider] : DELIVERED[provider];
}
