import { z } from "zod";
import { sendSmsOutputSchema } from "../sms/sendResult.js";
import { sendSmsArgumentsSchema } from "../sms/sendSmsArguments.js";

// The zod schemas in sms/ are the source of truth. The bundle (scripts/bundle.mjs, switch
// "precomputedToolSchemas") replaces this module with its output, computed at build time, so
// a host's launch does not convert them again.

function toJsonSchema(schema: z.ZodType, io: "input" | "output") {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return rest as { type: "object"; [key: string]: unknown };
}

/** The input and output schemas as `tools/list` shows them. */
export const sendSmsJsonSchemas = {
  inputSchema: toJsonSchema(sendSmsArgumentsSchema, "input"),
  outputSchema: toJsonSchema(sendSmsOutputSchema, "output"),
};
