import type { IncomingMessage, ServerResponse } from "node:http";
import {
  classifyInboundRequest,
  INVALID_REQUEST,
  SUPPORTED_PROTOCOL_VERSIONS,
  UnsupportedProtocolVersionError,
} from "@modelcontextprotocol/server";
import type { Logger } from "../../log/logger.js";
import { createMcpServer } from "../createMcpServer.js";
import { claimedRevision, claimsRevision } from "../protocolRevisions.js";
import type { Endpoint } from "./endpoints.js";
import { jsonRpcError } from "./httpIo.js";
import type { SessionRegistry } from "./sessions.js";
import { SseServerTransport } from "./sseTransport.js";

/**
 * `GET /sse` and `POST /messages` (and each connection's own): the 2024-11-05 HTTP+SSE
 * transport, deprecated by the protocol since 2025-03-26 and kept for the clients that still
 * use it. Sessions share the Streamable HTTP sessions' bound and idle expiry.
 */
export function sseEndpoint(sessions: SessionRegistry, logger: Logger) {
  async function open(endpoint: Endpoint, res: ServerResponse): Promise<void> {
    if (sessions.full) return jsonRpcError(res, 503, "Too many open sessions; try again later");
    const transport = new SseServerTransport(`${endpoint.prefix}/messages`, res);
    sessions.add(transport.sessionId, transport, endpoint.connectionId);
    sessions.track(transport.sessionId, res);
    transport.onclose = () => {
      sessions.remove(transport.sessionId);
      logger.debug({ transport: "sse", sessions: sessions.size }, "session closed");
    };
    await createMcpServer(endpoint.service).connect(transport);
    logger.debug({ transport: "sse", sessions: sessions.size }, "session opened");
  }

  /**
   * One message for an open stream: 202, and the answer goes down the stream. A request that
   * claims the 2026-07-28 revision is answered on the stream with -32022 naming the revisions
   * this endpoint speaks (that revision is served at /mcp), as a legacy server answers it: the
   * SDK clients' SSE transports take a refused POST for a dead connection, while this answer
   * lets a probing client fall back to `initialize`.
   */
  async function message(
    endpoint: Endpoint,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    const transport = sessions.get(url.searchParams.get("sessionId") ?? "", endpoint.connectionId);
    if (!transport) return jsonRpcError(res, 404, "Session not found");
    if (!(transport instanceof SseServerTransport)) {
      return jsonRpcError(res, 400, "Session exists but uses the Streamable HTTP transport");
    }
    if (!transport.connected) return jsonRpcError(res, 404, "Session not found");
    const route = classifyInboundRequest({ httpMethod: "POST", body });
    // Not a JSON-RPC message this endpoint could take at all (no `jsonrpc`, a batch with a
    // bad element…), and no claim to a revision: refused as JSON-RPC refuses it.
    if (route.kind === "reject" && !claimsRevision(body)) {
      return jsonRpcError(res, route.httpStatus, route.message, route.code);
    }
    if (route.kind !== "legacy") {
      const error = new UnsupportedProtocolVersionError({
        supported: [...SUPPORTED_PROTOCOL_VERSIONS],
        requested: claimedRevision(body) ?? "unknown",
      });
      const id = idOf(body);
      if (id !== null) {
        await transport.send({
          jsonrpc: "2.0",
          id,
          error: { code: error.code, message: error.message, data: error.data },
        });
      }
      res.writeHead(202).end("Accepted");
      return;
    }
    try {
      transport.receive(body, req);
    } catch {
      return jsonRpcError(res, 400, "Invalid Request: not a JSON-RPC 2.0 message", INVALID_REQUEST);
    }
    res.writeHead(202).end("Accepted");
  }

  return { open, message };
}

function idOf(body: unknown): string | number | null {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}
