import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator } from "./auth.js";
import type { Endpoint, EndpointMap } from "./endpoints.js";
import { healthz, readyz } from "./health.js";
import { jsonRpcError, readJsonBody, sendJson } from "./httpIo.js";
import type { OAuthResourceServer } from "./oauth.js";
import type { Guard } from "./security.js";
import type { sseEndpoint } from "./sseEndpoint.js";
import type { statusRoute } from "./statusRoute.js";
import type { streamableEndpoint } from "./streamableEndpoint.js";

/** What a shutdown needs to know of the requests in flight. */
export interface DrainState {
  /** Set once a shutdown begins: new MCP requests get 503. */
  draining: boolean;
  /** POSTs whose answers are still being written. */
  readonly pendingPosts: Set<ServerResponse>;
}

export interface RouterParts {
  /** Host and Origin checks, in front of everything. */
  guards: readonly Guard[];
  endpoints: EndpointMap;
  authenticate: Authenticator;
  oauth: OAuthResourceServer | undefined;
  statusCallbacks: ReturnType<typeof statusRoute> | undefined;
  streamable: ReturnType<typeof streamableEndpoint>;
  sse: ReturnType<typeof sseEndpoint>;
  stateless: boolean;
  maxBodyBytes: number;
  drain: DrainState;
  /** `GET /metrics`, behind the default connection's auth unless public. */
  metrics: { serve: Responder; public: boolean; connectionId: string } | undefined;
}

/** Answers one request in full. */
export type Responder = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const PROTECTED_RESOURCE_METADATA = new Set([
  "/.well-known/oauth-protected-resource",
  "/.well-known/oauth-protected-resource/mcp",
]);

/**
 * Every HTTP request's way in: the Host/Origin guards, then the unauthenticated routes
 * (health, OAuth metadata, status callbacks), the metrics (behind auth unless public), then
 * the MCP endpoints, each behind auth and the body limit, handed to the leg that speaks its
 * transport.
 */
export function createRouter(parts: RouterParts) {
  const { guards, endpoints, authenticate, oauth, statusCallbacks, drain } = parts;

  /** An authenticated MCP request with its body read: Streamable HTTP or SSE. */
  function mcp(
    endpoint: Endpoint,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ) {
    const method = req.method ?? "GET";
    const { path } = endpoint;
    if (parts.stateless && !(path === "/mcp" && method === "POST")) {
      return jsonRpcError(res, 405, "This server runs stateless: only POST /mcp is served");
    }
    if (path === "/mcp") return parts.streamable(endpoint, req, res, body);
    if (path === "/sse" && method === "GET") return parts.sse.open(endpoint, res);
    if (path === "/messages" && method === "POST")
      return parts.sse.message(endpoint, url, req, res, body);
    res.setHeader("Allow", path === "/sse" ? "GET" : "POST");
    jsonRpcError(res, 405, `Method ${method} is not allowed on ${url.pathname}`);
  }

  return async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const guard of guards) if (!guard(req, res)) return;
    const url = new URL(req.url ?? "/", "http://localhost");
    const { pathname } = url;
    const method = req.method ?? "GET";
    if (pathname === "/healthz" && method === "GET") return healthz(res, drain.draining);
    if (pathname === "/readyz" && method === "GET") {
      return readyz(res, drain.draining, endpoints.all());
    }
    if (oauth && method === "GET" && PROTECTED_RESOURCE_METADATA.has(pathname)) {
      return sendJson(res, 200, oauth.metadata());
    }
    const { metrics } = parts;
    if (metrics && pathname === "/metrics" && method === "GET") {
      if (!metrics.public && !(await authenticate(req, res, metrics.connectionId))) return;
      return metrics.serve(req, res);
    }
    const callbackService = statusCallbacks ? endpoints.statusCallbacks(pathname) : undefined;
    if (statusCallbacks && callbackService) {
      if (drain.draining) return jsonRpcError(res, 503, "Server is shutting down");
      return statusCallbacks(callbackService, req, res);
    }
    const endpoint = endpoints.mcp(pathname);
    if (!endpoint) {
      return jsonRpcError(res, 404, `Not found: ${pathname}; MCP is served at /mcp and /sse`);
    }
    if (drain.draining) return jsonRpcError(res, 503, "Server is shutting down");
    if (!(await authenticate(req, res, endpoint.connectionId))) return;

    let body: unknown;
    if (method === "POST") {
      const read = await readJsonBody(req, parts.maxBodyBytes);
      if (!read.ok) return jsonRpcError(res, read.status, read.message, read.code);
      body = read.value;
      drain.pendingPosts.add(res);
      res.on("close", () => drain.pendingPosts.delete(res));
    }
    return mcp(endpoint, url, req, res, body);
  };
}
