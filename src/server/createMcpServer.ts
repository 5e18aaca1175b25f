import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { SendOutcome } from "../sms/sendResult.js";
import type { SmsService } from "../sms/smsService.js";
import { VERSION } from "../version.js";
import { AjvJsonSchemaValidator } from "./lazyAjvProvider.js";
import { SEND_SMS_TOOL_NAME, sendSmsToolDefinition } from "./sendSmsTool.js";
import { toToolResult } from "./toolResult.js";

const LooseCallToolRequestSchema = z.object({
  method: z.literal("tools/call"),
  params: z.unknown().optional(),
});

/** A tools/call that names no tool: answered as send_sms refusing it, nothing sent. */
function invalidCall(service: SmsService): SendOutcome {
  const { label, provider } = service.connection;
  const reason = "the call names no tool; call send_sms with to_ and message";
  return {
    ok: false,
    reason,
    details: {
      status: "failed",
      provider,
      connection: label,
      error: { category: "invalid_input", reason, retryable: false },
    },
  };
}

// The SDK validates elicitation answers with Ajv; this server never elicits, so Ajv loads
// only if something ever asks for a validator.
const jsonSchemaValidator = new AjvJsonSchemaValidator();

/**
 * The low-level Server rather than McpServer.registerTool: McpServer answers schema
 * violations with its own text, and the contract is that every call of send_sms, whatever
 * its arguments, answers "SMS sent." or "SMS couldn't be sent".
 */
export function createMcpServer(service: SmsService): Server {
  const server = new Server(
    { name: "sms-mcp", title: "SMS", version: VERSION },
    {
      capabilities: { tools: {} },
      jsonSchemaValidator,
      instructions:
        "sms-mcp sends text messages from the user's own number with the send_sms tool. Confirm the recipient's number (in E.164 format) with the person before sending.",
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => {
    // Load the provider SDK just after this answer goes out: off the host's critical path,
    // and before the first send needs it.
    setTimeout(() => service.warmUp(), 0).unref();
    return { tools: [sendSmsToolDefinition] };
  });

  // Registered with the protocol's own method, past the Server's strict tools/call schema: a
  // call whose arguments are an array, a string or null, or that names no tool, still gets
  // the tool's answer ("SMS couldn't be sent" and why), not a protocol error with a dump.
  const registerRequestHandler = Protocol.prototype.setRequestHandler as (
    this: Server,
    schema: typeof LooseCallToolRequestSchema,
    handler: (request: z.infer<typeof LooseCallToolRequestSchema>) => Promise<CallToolResult>,
  ) => void;
  registerRequestHandler.call(server, LooseCallToolRequestSchema, async ({ params }) => {
    const { name, arguments: args } = (
      typeof params === "object" && params !== null ? params : {}
    ) as { name?: unknown; arguments?: unknown };
    if (typeof name === "string" && name !== SEND_SMS_TOOL_NAME) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool ${name.slice(0, 64)}; this server has only ${SEND_SMS_TOOL_NAME}`,
      );
    }
    if (typeof name !== "string") return toToolResult(invalidCall(service));
    return toToolResult(await service.send(args));
  });

  return server;
}
