import { E164_SHAPE } from "./e164.js";
import type { ProviderName } from "./providerNames.js";

/**
 * Who a text is from (DESIGN §12): a phone number, a Twilio Messaging Service, a Plivo
 * Powerpack, or an alphanumeric sender ID ("ABC Dental").
 */
export type SenderKind = "number" | "messaging_service" | "powerpack" | "alphanumeric";

export interface Sender {
  kind: SenderKind;
  /** As given: E.164, `MG…`, a Powerpack UUID, or the alphanumeric ID. */
  value: string;
}

/** A Twilio Messaging Service SID. */
export const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/;
/** A UUID as Plivo (Powerpacks, messages) and Telnyx (profiles, messages) write them. */
export const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 1–11 letters, digits and spaces, at least one letter: what carriers accept as a name. */
export const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/** Which kind of sender `value` is for `provider`; "number" for anything else (checked later). */
export function senderKindOf(value: string, provider: ProviderName): SenderKind {
  if (provider === "twilio" && MESSAGING_SERVICE_SID.test(value)) return "messaging_service";
  if (provider === "plivo" && UUID_SHAPE.test(value)) return "powerpack";
  if (!value.startsWith("+") && ALPHANUMERIC_SENDER.test(value)) return "alphanumeric";
  return "number";
}

/** Why a configured sender cannot be one for `provider`, or undefined when it can. */
export function senderProblem(value: string, provider: ProviderName): string | undefined {
  if (senderKindOf(value, provider) !== "number") return undefined;
  if (E164_SHAPE.test(value)) return undefined;
  const others =
    provider === "twilio"
      ? ", a Messaging Service SID (MG + 32 hex)"
      : provider === "plivo"
        ? ", a Powerpack UUID"
        : "";
  return `${JSON.stringify(value.slice(0, 40))} is not a sender: use an E.164 number${others} or an alphanumeric sender ID (1 to 11 letters, digits and spaces)`;
}
