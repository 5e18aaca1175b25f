import { z } from "zod";
import { MAX_MESSAGE_CHARS, sendSmsArgumentsSchema } from "../sms/sendSmsArguments.js";

export const SEND_SMS_TOOL_NAME = "send_sms";
export const SENT_TEXT = "SMS sent.";
export const NOT_SENT_TEXT = "SMS couldn't be sent";

const DESCRIPTION = [
  "Send one SMS text message from the user's own phone number (Twilio, Plivo or Telnyx).",
  "Use it when the person asks for a text, or agrees to one: a booking confirmation, a payment link, a one-time code.",
  "Before sending, confirm the recipient's number with the person, including the country.",
  "Write to_ (and from_, if given) in E.164 format: + then country code and number, no spaces or punctuation, e.g. +15551234567. Never guess a country code.",
  `Keep the message under ${MAX_MESSAGE_CHARS} characters; plain GSM characters cost less than emoji or accented text.`,
  "Never send unsolicited marketing, and never send the same text twice unless asked.",
  `Answers "${SENT_TEXT}" on success, or "${NOT_SENT_TEXT}" with a reason that says whether retrying can help.`,
].join(" ");

const errorSchema = z.object({
  category: z
    .string()
    .describe(
      "invalid_input, invalid_recipient, invalid_sender, opted_out, authentication, rate_limited, too_long, not_allowed, provider_unavailable, configuration or unknown",
    ),
  reason: z.string(),
  retryable: z.boolean().describe("Whether sending the same message again (later) can succeed"),
  providerCode: z.string().optional(),
  retryAfterSeconds: z.number().optional(),
});

export const sendSmsOutputSchema = z.object({
  status: z
    .enum(["sent", "failed", "duplicate", "dry_run"])
    .describe(
      "duplicate: an identical text went out moments ago and was not sent again; dry_run: checks passed, nothing sent",
    ),
  provider: z.enum(["twilio", "plivo", "telnyx"]),
  connection: z.string(),
  to: z.string().nullable(),
  from: z.string().nullable(),
  messageId: z.string().optional().describe("The provider's id for the message"),
  duplicateOf: z.string().optional().describe("For a duplicate, the earlier message's id"),
  providerStatus: z.string().optional(),
  segments: z.number().int().optional().describe("How many SMS parts the text is billed as"),
  encoding: z.string().optional().describe("GSM-7, or UCS-2 when any character needs it"),
  notes: z.array(z.string()).optional(),
  error: errorSchema.optional(),
});

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return rest as { type: "object"; [key: string]: unknown };
}

/** The tool as `tools/list` shows it. Built once: the schemas never change at run time. */
export const sendSmsToolDefinition = {
  name: SEND_SMS_TOOL_NAME,
  title: "Send SMS",
  description: DESCRIPTION,
  inputSchema: jsonSchema(sendSmsArgumentsSchema, "input"),
  outputSchema: jsonSchema(sendSmsOutputSchema, "output"),
  annotations: {
    title: "Send SMS",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
};
