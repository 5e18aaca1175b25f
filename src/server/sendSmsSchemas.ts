import { z } from "zod";
import { sendSmsArgumentsSchema } from "../sms/sendSmsArguments.js";

// The zod schemas are the source of truth. The bundle (scripts/bundle.mjs) replaces this
// module with its output, sendSmsJsonSchemas, computed at build time: converting to JSON
// Schema on every launch cost a few ms of each host's start-up.

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

function toJsonSchema(schema: z.ZodType, io: "input" | "output") {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return rest as { type: "object"; [key: string]: unknown };
}

/** The input and output schemas as `tools/list` shows them. */
export const sendSmsJsonSchemas = {
  inputSchema: toJsonSchema(sendSmsArgumentsSchema, "input"),
  outputSchema: toJsonSchema(sendSmsOutputSchema, "output"),
};
