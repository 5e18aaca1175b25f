import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { getRequestListener } from "@hono/node-server";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../../log/logger.js";
import type { SmsService } from "../../sms/smsService.js";
import { createMcpServer } from "../createMcpServer.js";
import { TUNING } from "../tuning.js";
import { createAuthenticator } from "./auth.js";
import { jsonRpcError, readJsonBody, sendJson } from "./httpIo.js";
import type { OAuthOptions } from "./oauth.js";
import {
  type Guard,
  hostCheck,
  isLoopback,
  ListenError,
  originCheck,
  unsafeBind,
} from "./security.js";
import { SessionRegistry } from "./sessions.js";
import { statusRoute } from "./statusRoute.js";

/** Per-connection bearer tokens: which connection each one opens. */
export interface ConnectionTokenIndex {
  /** The connection id a bearer token opens, if it is a current token. */
  connectionOf(token: string): string | undefined;
  /** Whether any connection has a token: then every request must authenticate. */
  readonly any: boolean;
}

export interface HttpServerOptions {
  /** The default connection's send service: served at /mcp and /sse. */
  service: SmsService;
  /**
   * Every connection served at /connections/<id>/mcp and /connections/<id>/sse, by id, the
   * default among them. Default: the default service alone.
   */
  connections?: ReadonlyMap<string, SmsService>;
  /** Per-connection tokens (`sms-mcp token add`). Default: none. */
  connectionTokens?: ConnectionTokenIndex;
  logger: Logger;
  host: string;
  port: number;
  authToken?: string | undefined;
  /**
   * This server's public origin (`SMS_MCP_PUBLIC_URL`). When set, providers' status callbacks
   * are taken at `<publicUrl>/status/<connection id>`, and its host is a name Host headers may
   * use. Default: none (no callback endpoint).
   */
  publicUrl?: string | undefined;
  /** Accept OAuth access tokens from this issuer for `<publicUrl>/mcp` (DESIGN §11). */
  oauth?: OAuthOptions | undefined;
  /** Origins allowed besides the server's own loopback origin. */
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  maxSessions?: number;
  idleTimeoutMs?: number;
  /** No server-side sessions: each POST stands alone (for replicas behind a load balancer). */
  stateless?: boolean;
  /** How long a shutdown waits for in-flight sends to answer. Default: 10 s. */
  drainTimeoutMs?: number;
}

export interface RunningHttpServer {
  url: string;
  sessionCount(): number;
  /** Stops accepting, lets in-flight sends answer (bounded), closes every session. */
  close(): Promise<void>;
}

/** See TUNING.lightweightWebResponses: a listener made with hono's defaults installs them. */
function useLightweightWebResponses(): void {
  if (TUNING.lightweightWebResponses) getRequestListener(() => new Response(null));
}

/** The endpoints of one connection: which service, and the path prefix they live under. */
interface Endpoint {
  connectionId: string;
  service: SmsService;
  /** "" for /mcp and /sse (the default connection), else /connections/<id>. */
  prefix: string;
  /** The rest of the path: /mcp, /sse or /messages. */
  path: string;
}

/** A connection id as a path segment names it: its endpoints and its status callbacks. */
const CONNECTION_ID = "([a-z0-9][a-z0-9-]{0,63})";
const CONNECTION_PATH = new RegExp(`^/connections/${CONNECTION_ID}(/mcp|/sse|/messages)$`);
const STATUS_PATH = new RegExp(`^/status/${CONNECTION_ID}$`);

/** The names a local client reaches this server by, in Host headers and browser origins. */
const LOCAL_NAMES = ["127.0.0.1", "localhost", "[::1]"];

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { service, logger, host } = options;
  const unsafe = unsafeBind(
    host,
    options.authToken,
    options.oauth !== undefined || options.connectionTokens?.any === true,
  );
  if (unsafe) throw unsafe;
  // jose and the discovery code load only when OAuth is configured.
  const oauth = options.oauth
    ? new (await import("./oauth.js")).OAuthResourceServer(options.oauth)
    : undefined;
  const authenticate = createAuthenticator({
    staticToken: options.authToken,
    oauth,
    connectionTokens: options.connectionTokens,
  });
  const services = options.connections ?? new Map([[service.connection.id, service]]);
  const allServices = [...new Set([service, ...services.values()])];
  useLightweightWebResponses();
  const sessions = new SessionRegistry(
    options.maxSessions ?? 1000,
    options.idleTimeoutMs ?? 30 * 60_000,
  );
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const pendingPosts = new Set<ServerResponse>();
  let draining = false;

  const guards: Guard[] = [originCheck(allowedOrigins)];
  const { publicUrl } = options;
  if (isLoopback(host)) {
    // Behind a tunnel or proxy to a loopback port, requests name the public host.
    const names = [...LOCAL_NAMES, host, ...(publicUrl ? [new URL(publicUrl).hostname] : [])];
    guards.unshift(hostCheck(new Set(names)));
  }
  const statusCallbacks = publicUrl ? statusRoute({ publicUrl, logger }) : undefined;
  /** POST /mcp or GET|DELETE /mcp with a session id, or the initialize that opens one. */
  async function streamable(
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ) {
    const sessionId = req.headers["mcp-session-id"];
    const id = typeof sessionId === "string" ? sessionId : undefined;
    if (id) {
      const transport = sessions.get(id, endpoint.connectionId);
      if (!transport) return jsonRpcError(res, 404, "Session not found");
      if (!(transport instanceof StreamableHTTPServerTransport)) {
        return jsonRpcError(res, 400, "Session exists but uses the SSE transport");
      }
      sessions.track(id, res);
      return transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) {
      return jsonRpcError(res, 400, "Bad Request: no valid session id (initialize first)");
    }
    if (sessions.full) return jsonRpcError(res, 503, "Too many open sessions; try again later");
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
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

  async function stateless(
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ) {
    const server = createMcpServer(endpoint.service);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async function openSse(endpoint: Endpoint, res: ServerResponse) {
    if (sessions.full) return jsonRpcError(res, 503, "Too many open sessions; try again later");
    const transport = new SSEServerTransport(`${endpoint.prefix}/messages`, res);
    sessions.add(transport.sessionId, transport, endpoint.connectionId);
    sessions.track(transport.sessionId, res);
    transport.onclose = () => sessions.remove(transport.sessionId);
    await createMcpServer(endpoint.service).connect(transport);
  }

  async function sseMessage(
    endpoint: Endpoint,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ) {
    const transport = sessions.get(url.searchParams.get("sessionId") ?? "", endpoint.connectionId);
    if (!transport) return jsonRpcError(res, 404, "Session not found");
    if (!(transport instanceof SSEServerTransport)) {
      return jsonRpcError(res, 400, "Session exists but uses the Streamable HTTP transport");
    }
    await transport.handlePostMessage(req, res, body);
  }

  const MCP_PATHS = new Set(["/mcp", "/sse", "/messages"]);
  /** /mcp, /sse, /messages: the default connection; /connections/<id>/…: that one. */
  function endpointOf(pathname: string): Endpoint | undefined {
    if (MCP_PATHS.has(pathname)) {
      return { connectionId: service.connection.id, service, prefix: "", path: pathname };
    }
    const match = CONNECTION_PATH.exec(pathname);
    const connectionId = match?.[1];
    const connection = connectionId ? services.get(connectionId) : undefined;
    if (!connectionId || !connection || !match?.[2]) return undefined;
    return {
      connectionId,
      service: connection,
      prefix: `/connections/${connectionId}`,
      path: match[2],
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const guard of guards) if (!guard(req, res)) return;
    const url = new URL(req.url ?? "/", "http://localhost");
    const { pathname } = url;
    const method = req.method ?? "GET";
    if (pathname === "/healthz" && method === "GET") {
      return sendJson(res, 200, { status: draining ? "draining" : "ok" });
    }
    if (pathname === "/readyz" && method === "GET") {
      // Ready when sends can be recorded: a shared ledger (Redis) may be unreachable.
      const ready =
        !draining && (await Promise.all(allServices.map((s) => s.ready()))).every(Boolean);
      return sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable" });
    }
    if (
      oauth &&
      method === "GET" &&
      (pathname === "/.well-known/oauth-protected-resource" ||
        pathname === "/.well-known/oauth-protected-resource/mcp")
    ) {
      return sendJson(res, 200, oauth.metadata());
    }
    const callbackFor = STATUS_PATH.exec(pathname)?.[1];
    const callbackService = callbackFor ? services.get(callbackFor) : undefined;
    if (statusCallbacks && callbackService) {
      if (draining) return jsonRpcError(res, 503, "Server is shutting down");
      return statusCallbacks(callbackService, req, res);
    }
    const endpoint = endpointOf(pathname);
    if (!endpoint) {
      return jsonRpcError(res, 404, `Not found: ${pathname}; MCP is served at /mcp and /sse`);
    }
    if (draining) return jsonRpcError(res, 503, "Server is shutting down");
    if (!(await authenticate(req, res, endpoint.connectionId))) return;

    let body: unknown;
    if (method === "POST") {
      const read = await readJsonBody(req, maxBodyBytes);
      if (!read.ok) return jsonRpcError(res, read.status, read.message);
      body = read.value;
      pendingPosts.add(res);
      res.on("close", () => pendingPosts.delete(res));
    }

    const { path } = endpoint;
    if (options.stateless) {
      if (path === "/mcp" && method === "POST") return stateless(endpoint, req, res, body);
      return jsonRpcError(res, 405, "This server runs stateless: only POST /mcp is served");
    }
    if (path === "/mcp") return streamable(endpoint, req, res, body);
    if (path === "/sse" && method === "GET") return openSse(endpoint, res);
    if (path === "/messages" && method === "POST") {
      return sseMessage(endpoint, url, req, res, body);
    }
    res.setHeader("Allow", path === "/sse" ? "GET" : "POST");
    jsonRpcError(res, 405, `Method ${method} is not allowed on ${pathname}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: Error) => {
      logger.error({ name: error.name }, "http request failed");
      if (!res.headersSent) jsonRpcError(res, 500, "Internal server error");
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(new ListenError(host, options.port, error.code));
    server.once("error", failed);
    server.listen(options.port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  for (const h of [...LOCAL_NAMES, shownHost]) allowedOrigins.add(`http://${h}:${port}`);

  return {
    url: `http://${shownHost}:${port}`,
    sessionCount: () => sessions.size,
    async close() {
      draining = true;
      server.close();
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
      await Promise.race([
        Promise.all(allServices.map((s) => s.idle())),
        sleep(Math.max(deadline - Date.now(), 0)),
      ]);
      // The answer to a finished send is still being written: let those responses end.
      while (pendingPosts.size > 0 && Date.now() < deadline) await sleep(10);
      await sessions.closeAll();
      server.closeAllConnections();
    },
  };
}
