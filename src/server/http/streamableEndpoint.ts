import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type NodeMcpRequestHandler,
  NodeStreamableHTTPServerTransport,
  toNodeHandler,
} from "@modelcontextprotocol/node";
import {
  classifyInboundRequest,
  createMcpHandler,
  isInitializeRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";
import type { Logger } from "../../log/logger.js";
import type { SmsService } from "../../sms/smsService.js";
import { createMcpServer } from "../createMcpServer.js";
import type { Endpoint } from "./endpoints.js";
import { jsonRpcError } from "./httpIo.js";
import type { SessionRegistry } from "./sessions.js";

const LEGACY_REVISIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

/** Whether a request names a legacy revision in its header, or none (as 2025-03-26 clients do). */
function speaksLegacy(req: IncomingMessage): boolean {
  const version = header(req, "mcp-protocol-version");
  return version === undefined || LEGACY_REVISIONS.has(version);
}

export interface StreamableEndpointOptions {
  /** The legacy sessions of every connection (shared with SSE: one bound on both). */
  sessions: SessionRegistry;
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
 * speaks only statelessly gets 405 here. A 2025-era request keeps its session (the SDK's Node
 * transport, one per session), the GET stream and DELETE, or with `--stateless` is served per
 * request by the same stateless entry.
 */
export function streamableEndpoint(options: StreamableEndpointOptions) {
  const { sessions, stateless, maxBodyBytes, logger } = options;
  const onerror = (error: Error) =>
    logger.debug({ name: error.name, reason: error.message }, "mcp request refused");
  const perRequest = new Map<string, NodeMcpRequestHandler>();

  /** The SDK's stateless entry for one connection (legacy requests too, with `--stateless`). */
  function perRequestFor(endpoint: Endpoint): NodeMcpRequestHandler {
    const known = perRequest.get(endpoint.connectionId);
    if (known) return known;
    const service: SmsService = endpoint.service;
    const handler = toNodeHandler(
      createMcpHandler(() => createMcpServer(service), {
        legacy: stateless ? "stateless" : "reject",
        maxRequestBodySize: maxBodyBytes,
        onerror,
      }),
      { onerror, maxRequestBodySize: maxBodyBytes },
    );
    perRequest.set(endpoint.connectionId, handler);
    return handler;
  }

  /** The legacy leg with sessions: the session a request names, or the initialize that opens one. */
  async function legacySession(
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    if (req.method !== "POST" && !speaksLegacy(req)) {
      // A GET stream or a DELETE belongs to a legacy session; a 2026-07-28 client has neither.
      res.setHeader("Allow", "POST");
      return jsonRpcError(res, 405, "Method not allowed.");
    }
    const id = req.headers["mcp-session-id"];
    if (typeof id === "string") {
      const transport = sessions.get(id, endpoint.connectionId);
      if (!transport) return jsonRpcError(res, 404, "Session not found");
      if (!(transport instanceof NodeStreamableHTTPServerTransport)) {
        return jsonRpcError(res, 400, "Session exists but uses the SSE transport");
      }
      sessions.track(id, res);
      return transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) {
      return jsonRpcError(res, 400, "Bad Request: no valid session id (initialize first)");
    }
    if (sessions.full) return jsonRpcError(res, 503, "Too many open sessions; try again later");
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (newId) => {
        sessions.add(newId, transport, endpoint.connectionId);
        sessions.track(newId, res);
        logger.debug({ transport: "streamable-http", sessions: sessions.size }, "session opened");
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.remove(transport.sessionId);
      logger.debug({ transport: "streamable-http", sessions: sessions.size }, "session closed");
    };
    await createMcpServer(endpoint.service).connect(transport);
    await transport.handleRequest(req, res, body);
  }

  return (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, body: unknown) => {
    if (stateless) return perRequestFor(endpoint)(req, res, body);
    const route = classifyInboundRequest({
      httpMethod: req.method ?? "GET",
      protocolVersionHeader: header(req, "mcp-protocol-version"),
      mcpMethodHeader: header(req, "mcp-method"),
      mcpNameHeader: header(req, "mcp-name"),
      body,
    });
    return route.kind === "legacy"
      ? legacySession(endpoint, req, res, body)
      : perRequestFor(endpoint)(req, res, body);
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}
