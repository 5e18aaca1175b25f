import type { CallToolResult } from "@modelcontextprotocol/server";
import type { SendOutcome } from "../sms/sendResult.js";
import { NOT_SENT_TEXT, SENT_TEXT } from "./sendSmsTool.js";

function sentence(reason: string): string {
  const text = reason.charAt(0).toUpperCase() + reason.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** structuredContent must validate against the output schema: omit absent fields, never send undefined. */
function withoutUndefined(details: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A plain loop: Object.entries allocates an array per field, on every send.
  for (const key in details) {
    const value: unknown = details[key as keyof typeof details];
    if (value === undefined) continue;
    out[key] =
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? withoutUndefined(value)
        : value;
  }
  return out;
}

const DRY_RUN_TEXT =
  "This was a dry run: every check passed and nothing was sent; no text reached the recipient.";

/**
 * The fixed answer strings keep prompts portable; the details ride in structuredContent, and
 * again as the last text block (JSON) for hosts that show no structured output, as the MCP
 * spec recommends. A dry run says so in its own block, so it never reads as a real send.
 */
export function toToolResult(outcome: SendOutcome): CallToolResult {
  const structuredContent = withoutUndefined(outcome.details);
  const details = { type: "text" as const, text: JSON.stringify(structuredContent) };
  if (outcome.ok) {
    const content =
      outcome.details.status === "dry_run"
        ? [
            { type: "text" as const, text: SENT_TEXT },
            { type: "text" as const, text: DRY_RUN_TEXT },
            details,
          ]
        : [{ type: "text" as const, text: SENT_TEXT }, details];
    return { content, structuredContent };
  }
  return {
    isError: true,
    content: [
      { type: "text", text: NOT_SENT_TEXT },
      { type: "text", text: sentence(outcome.reason) },
      details,
    ],
    structuredContent,
  };
}
