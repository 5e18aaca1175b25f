import { MAX_MESSAGE_CHARS } from "../sms/sendSmsArguments.js";
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

/** The tool as `tools/list` shows it. Built once: the schemas never change at run time. */
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
