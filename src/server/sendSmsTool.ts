import { PLACEHOLDER_KINDS } from "../sms/guardrails/templates.js";
import { MAX_MESSAGE_CHARS } from "../sms/sendSmsArguments.js";
import type { ContentPolicy } from "../sms/smsService.js";
import { sendSmsJsonSchemas } from "./sendSmsSchemas.js";

export const SEND_SMS_TOOL_NAME = "send_sms";
export const SENT_TEXT = "SMS sent.";
export const NOT_SENT_TEXT = "SMS couldn't be sent";

const DESCRIPTION = [
  "Send one SMS text message from the user's own phone number (Twilio, Plivo or Telnyx).",
  "Use it when the person asks for a text, or agrees to one: a booking confirmation, a payment link, a one-time code.",
  "Before sending, confirm the recipient's number with the person, including the country.",
  "Write to_ (and from_, when it is a number) in E.164 format: + then country code and number, no spaces or punctuation, e.g. +15551234567. Never guess a country code.",
  `Keep the message under ${MAX_MESSAGE_CHARS} characters; plain GSM characters cost less than emoji or accented text.`,
  "Never send unsolicited marketing, and never send the same text twice unless asked.",
  `Answers "${SENT_TEXT}" on success, or "${NOT_SENT_TEXT}" with a reason that says whether retrying can help.`,
].join(" ");

/** The tool as `tools/list` shows it with no content rules. Built once: the schemas never change. */
export const sendSmsToolDefinition = {
  name: SEND_SMS_TOOL_NAME,
  title: "Send SMS",
  description: DESCRIPTION,
  ...sendSmsJsonSchemas,
  annotations: {
    title: "Send SMS",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
};

/** The sentences that tell the model a connection's content rules, so it writes to them. */
function contentRules({
  templates,
  templatesOnly,
  allowedLinkDomains,
  quietHours,
}: ContentPolicy): string[] {
  const rules: string[] = [];
  if (templates.length > 0) {
    rules.push(
      templatesOnly
        ? "This connection sends only these texts: write the message as one of them exactly, filling in each {placeholder}."
        : "This connection's usual texts: use one of them when it fits, filling in each {placeholder}.",
      ...templates.map(({ name, text }) => `Template ${name}: "${text}".`),
      `{name} is ${PLACEHOLDER_KINDS.text}; {name:digits} is ${PLACEHOLDER_KINDS.digits}; {name:link} is ${PLACEHOLDER_KINDS.link}.`,
    );
  }
  if (allowedLinkDomains !== undefined) {
    rules.push(
      allowedLinkDomains.length === 0
        ? "Texts may not contain links."
        : `Links may point only to ${allowedLinkDomains.join(", ")} (and their subdomains), written out in full.`,
    );
  }
  if (quietHours) {
    rules.push(
      `Nothing is sent between ${quietHours.start} and ${quietHours.end} in the recipient's local time; such a send is refused with the time it can go.`,
    );
  }
  return rules;
}

const definitions = new WeakMap<ContentPolicy, typeof sendSmsToolDefinition>();

/** The tool as a connection's `tools/list` shows it: its content rules in the description. */
export function sendSmsToolFor(policy: ContentPolicy): typeof sendSmsToolDefinition {
  let definition = definitions.get(policy);
  if (!definition) {
    const rules = contentRules(policy);
    definition =
      rules.length === 0
        ? sendSmsToolDefinition
        : { ...sendSmsToolDefinition, description: [DESCRIPTION, ...rules].join(" ") };
    definitions.set(policy, definition);
  }
  return definition;
}
