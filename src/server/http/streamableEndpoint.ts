import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type NodeMcpRequestHandler, toNodeHandler } from "@modelcontextprotocol/node";
import {
  classifyInboundRequest,
  createMcpHandler,
  isInitializeRequest,
  type McpHandlerRequestOptions,
  SUPPORTED_PROTOCOL_VERSIONS,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { Logger } from "../../log/logger.js";
import type { SmsService } from "../../sms/smsService.js";
import { createMcpServer } from "../createMcpServer.js";
import type { Endpoint } from "./endpoints.js";
import { jsonRpcErrorResponse } from "./httpIo.js";
import type { SessionRegistry, SessionTransport } from "./sessions.js";

const LEGACY_REVISIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

/** Whether a request names a legacy revision in its header, or none (as 2025-03-26 clients do). */
function speaksLegacy(request: Request): boolean {
  const version = request.headers.get("mcp-protocol-version");
  return version === null || LEGACY_REVISIONS.has(version);
}

export interface StreamableEndpointOptions {
  /** The legacy sessions of every connection (shared with SSE: one bound on both). */
  sessions: SessionRegistry<SessionTransport>;
  /** `--stateless`: legacy clients are served per request too, with no sessions. */
  stateless: boolean;
  /** The body limit the router already applied, passed on so the SDK agrees with it. */
  maxBodyBytes: number;
  logger: Logger;
}

/**
 * `/mcp` and `/connections/<id>/mcp`: Streamable HTTP for every protocol era.
 *
 * Each request is classified by the SDK's own classifier (`classifyInboundRequest`, the step
 * `createMcpHandler` itself runs). A 2026-07-28 request, or one that claims the revision and
 * gets it wrong, goes to the SDK's stateless entry (`createMcpHandler`), which serves it on a
 * fresh server instance and owns every error answer of that revision (-32020, -32022,
 * -32602); no session is minted and any `Mcp-Session-Id` is ignored, so any replica can answer
 * it. The classifier calls every GET and DELETE legacy: one that names a revision the server
 * speaks only statelessly gets 405 here. A 2025-era request keeps its session (the SDK's
 * web-standard transport, one per session), the GET stream and DELETE, or with `--stateless`
 * is served per request as before.
 */
export function streamableEndpoint(options: StreamableEndpointOptions) {
  const { sessions, stateless, maxBodyBytes, logger } = options;
  const onerror = (error: Error) =>
    logger.debug({ name: error.name, reason: error.message }, "mcp request refused");
  const handlers = new Map<string, NodeMcpRequestHandler>();

  /** The legacy leg with sessions: the session a request names, or the initialize that opens one. */
  async function legacySession(
    endpoint: Endpoint,
    request: Request,
    options?: McpHandlerRequestOptions,
  ): Promise<Response> {
    if (request.method !== "POST" && !speaksLegacy(request)) {
      // A GET stream or a DELETE belongs to a legacy session; a 2026-07-28 client has neither.
      const response = jsonRpcErrorResponse(405, "Method not allowed.");
      response.headers.set("Allow", "POST");
      return response;
    }
    const id = request.headers.get("mcp-session-id");
    if (id) {
      const transport = sessions.get(id, endpoint.connectionId);
      if (!transport) return jsonRpcErrorResponse(404, "Session not found");
      if (!(transport instanceof WebStandardStreamableHTTPServerTransport)) {
        return jsonRpcErrorResponse(400, "Session exists but uses the SSE transport");
      }
      return transport.handleRequest(request, options);
    }
    if (request.method !== "POST" || !isInitializeRequest(options?.parsedBody)) {
      return jsonRpcErrorResponse(400, "Bad Request: no valid session id (initialize first)");
    }
    if (sessions.full) return jsonRpcErrorResponse(503, "Too many open sessions; try again later");
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        maxRequestBodySize: maxBodyBytes,
        onsessioninitialized: (newId) => {
          sessions.add(newId, transport, endpoint.connectionId);
          logger.debug({ transport: "streamable-http", sessions: sessions.size }, "session opened");
        },
      });
    transport.onclose = () => {
      if (transport.sessionId) sessions.remove(transport.sessionId);
      logger.debug({ transport: "streamable-http", sessions: sessions.size }, "session closed");
    };
    await createMcpServer(endpoint.service).connect(transport);
    return transport.handleRequest(request, options);
  }

  function handlerFor(endpoint: Endpoint): NodeMcpRequestHandler {
    const known = handlers.get(endpoint.connectionId);
    if (known) return known;
    const service: SmsService = endpoint.service;
    const perRequest = createMcpHandler(() => createMcpServer(service), {
      legacy: stateless ? "stateless" : "reject",
      maxRequestBodySize: maxBodyBytes,
      onerror,
    });
    const handler = toNodeHandler(
      stateless
        ? perRequest
        : {
            fetch: (request, options) => {
              const route = classifyInboundRequest({
                httpMethod: request.method,
                protocolVersionHeader: request.headers.get("mcp-protocol-version") ?? undefined,
                mcpMethodHeader: request.headers.get("mcp-method") ?? undefined,
                mcpNameHeader: request.headers.get("mcp-name") ?? undefined,
                body: options?.parsedBody,
              });
              return route.kind === "legacy"
                ? legacySession(endpoint, request, options)
                : perRequest.fetch(request, options);
            },
          },
      { onerror, maxRequestBodySize: maxBodyBytes },
    );
    handlers.set(endpoint.connectionId, handler);
    return handler;
  }

  return (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") sessions.track(sessionId, res);
    return handlerFor(endpoint)(req, res, body);
  };
}
