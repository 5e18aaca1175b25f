import { z } from "zod";
import { SMS_ERROR_CATEGORIES } from "./errors.js";
import { PROVIDER_NAMES } from "./providerNames.js";

/** A concatenated SMS counts its parts in one byte of its header. */
const MAX_CONCATENATED_SEGMENTS = 255;

const sendErrorSchema = z.object({
  category: z.enum(SMS_ERROR_CATEGORIES),
  reason: z.string(),
  retryable: z.boolean().describe("Whether sending the same message again (later) can succeed"),
  providerCode: z.string().optional(),
  retryAfterSeconds: z.number().optional(),
});

/** The tool's structuredContent, for success and failure alike: its output schema and type. */
export const sendSmsOutputSchema = z.object({
  status: z
    .enum(["sent", "failed", "duplicate", "dry_run"])
    .describe(
      "duplicate: an identical text went out moments ago and was not sent again; dry_run: checks passed, nothing sent",
    ),
  provider: z.enum(PROVIDER_NAMES),
  connection: z.string(),
  // Optional rather than nullable, and integers with real bounds: the schema keeps to the
  // single-type subset that every host's JSON Schema dialect reads.
  to: z.string().optional().describe("The recipient, E.164; absent when the call named none"),
  from: z.string().optional().describe("The sender used; absent when none was known"),
  messageId: z.string().optional().describe("The provider's id for the message"),
  duplicateOf: z.string().optional().describe("For a duplicate, the earlier message's id"),
  providerStatus: z.string().optional(),
  segments: z
    .number()
    .int()
    .min(1)
    .max(MAX_CONCATENATED_SEGMENTS)
    .optional()
    .describe("How many SMS parts the text is billed as"),
  encoding: z.string().optional().describe("GSM-7, or UCS-2 when any character needs it"),
  notes: z.array(z.string()).optional(),
  template: z.string().optional().describe("The connection's template the message matched"),
  confirmedBy: z
    .enum(["person", "read-back"])
    .optional()
    .describe("Who approved the text, on a connection that asks: the person, or a read-back"),
  error: sendErrorSchema.optional(),
});

export type SendDetails = z.infer<typeof sendSmsOutputSchema>;
export type SendStatus = SendDetails["status"];

export type SendOutcome =
  | { ok: true; details: SendDetails }
  | { ok: false; reason: string; details: SendDetails };

/** The confirmation form went to the client: this call ends without an outcome (2026-07-28). */
export const AWAITING_PERSON = { awaitingPerson: true } as const;
export type AwaitingPerson = typeof AWAITING_PERSON;
