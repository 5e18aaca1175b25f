import {
  type CallToolRequest,
  type CallToolResult,
  type InputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerContext,
  TRACEPARENT_META_KEY,
  TRACESTATE_META_KEY,
} from "@modelcontextprotocol/server";
import type { TraceParent } from "../sms/ports/tracer.js";
import { VERSION } from "../version.js";
import { callConfirmation } from "./askPerson.js";
import { AjvJsonSchemaValidator } from "./lazyAjvProvider.js";
import { SEND_SMS_TOOL_NAME, sendSmsToolFor } from "./sendSmsTool.js";
import { toToolResult } from "./toolResult.js";
import type { ToolService } from "./toolService.js";

/**
 * How long a 2026-07-28 client may keep `tools/list`, `server/discover` and the (empty) prompt
 * and resource lists: the tool list does not change while a process runs; a restart with other settings (a connection's
 * templates, its sender) is seen within this time.
 * @default 300_000 (5 minutes)
 */
const TOOL_LIST_TTL_MS = 300_000;

/**
 * `private`: a connection's tool description can name its own business (templates, senders),
 * so a shared cache must not hand it to another caller.
 */
const CACHE_HINT = { ttlMs: TOOL_LIST_TTL_MS, cacheScope: "private" } as const;

const INSTRUCTIONS =
  "sms-mcp sends text messages from the user's own number with the send_sms tool. Confirm the recipient's number (in E.164 format) with the person before sending.";

// The SDK validates elicitation answers with Ajv; a send never needs it, so Ajv loads only
// if something ever asks for a validator.
const jsonSchemaValidator = new AjvJsonSchemaValidator();

/**
 * The caller's trace context: a 2026-07-28 request carries it in `_meta`; over HTTP it may
 * come as the W3C headers instead.
 */
function traceParentOf(ctx: ServerContext): TraceParent | undefined {
  const meta = ctx.mcpReq._meta as Record<string, unknown> | undefined;
  const inMeta = meta?.[TRACEPARENT_META_KEY];
  if (typeof inMeta === "string") {
    const state = meta?.[TRACESTATE_META_KEY];
    return { traceparent: inMeta, tracestate: typeof state === "string" ? state : undefined };
  }
  const headers = ctx.http?.req?.headers;
  const inHeader = headers?.get("traceparent");
  return inHeader
    ? { traceparent: inHeader, tracestate: headers?.get("tracestate") ?? undefined }
    : undefined;
}

/**
 * One MCP server instance for one connection's send service, for every protocol era: the
 * serving entries (stdio, Streamable HTTP, SSE) build one per connection, session or request.
 *
 * The low-level Server rather than McpServer.registerTool: McpServer answers schema
 * violations with its own text, and the contract is that every call of send_sms, whatever
 * its arguments, answers "SMS sent." or "SMS couldn't be sent". (A tools/call whose params
 * break the protocol's own shape, `arguments: null` or no params, is refused by the SDK with
 * -32602 before it reaches this handler, as the protocol requires.)
 */
export function createMcpServer(service: ToolService): Server {
  const server = new Server(
    { name: "sms-mcp", title: "SMS", version: VERSION },
    {
      // Prompts and resources: none, declared so that a 2026-07-28 client can cache that
      // answer like the tool list instead of asking again.
      capabilities: { tools: {}, prompts: {}, resources: {} },
      jsonSchemaValidator,
      instructions: INSTRUCTIONS,
      cacheHints: {
        "tools/list": CACHE_HINT,
        "server/discover": CACHE_HINT,
        "prompts/list": CACHE_HINT,
        "resources/list": CACHE_HINT,
        "resources/templates/list": CACHE_HINT,
      },
    },
  );
  server.setRequestHandler("prompts/list", () => ({ prompts: [] }));
  server.setRequestHandler("resources/list", () => ({ resources: [] }));
  server.setRequestHandler("resources/templates/list", () => ({ resourceTemplates: [] }));

  server.setRequestHandler("tools/list", () => {
    // Load the provider SDK just after this answer goes out: off the host's critical path,
    // and before the first send needs it.
    setTimeout(() => service.warmUp(), 0).unref();
    return { tools: [sendSmsToolFor(service.contentPolicy)] };
  });

  server.setRequestHandler(
    "tools/call",
    async (
      request: CallToolRequest,
      ctx: ServerContext,
    ): Promise<CallToolResult | InputRequiredResult> => {
      const { name, arguments: args } = request.params;
      if (name !== SEND_SMS_TOOL_NAME) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Unknown tool ${name.slice(0, 64)}; this server has only ${SEND_SMS_TOOL_NAME}`,
        );
      }
      return service.traced(`tools/call ${SEND_SMS_TOOL_NAME}`, traceParentOf(ctx), async () => {
        if (service.confirmation.mode === "off") return toToolResult(await service.send(args));
        const confirmation = callConfirmation(service, server, ctx);
        const outcome = await service.send(args, confirmation.confirmer);
        return "awaitingPerson" in outcome ? confirmation.pending() : toToolResult(outcome);
      });
    },
  );

  return server;
}
