import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import type { SmsService } from "../sms/smsService.js";
import { VERSION } from "../version.js";
import { AjvJsonSchemaValidator } from "./lazyAjvProvider.js";
import { SEND_SMS_TOOL_NAME, sendSmsToolDefinition } from "./sendSmsTool.js";
import { toToolResult } from "./toolResult.js";

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

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name !== SEND_SMS_TOOL_NAME) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool ${request.params.name}; this server has only ${SEND_SMS_TOOL_NAME}`,
      );
    }
    return toToolResult(await service.send(request.params.arguments));
  });

  return server;
}
