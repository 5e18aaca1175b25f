import { randomUUID } from "node:crypto";
import type { Server as NodeHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "../../log/logger.js";
import type { SmsService } from "../../sms/smsService.js";
import { createMcpServer } from "../createMcpServer.js";
import {
  bearerAuth,
  hostCheck,
  isLoopback,
  jsonRpcError,
  originCheck,
  UnsafeBindError,
} from "./security.js";
import { SessionRegistry } from "./sessions.js";

export interface HttpServerOptions {
  service: SmsService;
  logger: Logger;
  host: string;
  port: number;
  authToken?: string | undefined;
  /** Origins allowed besides the server's own loopback origin. */
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  maxSessions?: number;
  idleTimeoutMs?: number;
  /** No server-side sessions: each POST stands alone (for replicas behind a load balancer). */
  stateless?: boolean;
  /** How long a shutdown waits for in-flight sends to answer. */
  drainTimeoutMs?: number;
}

export interface RunningHttpServer {
  url: string;
  sessionCount(): number;
  /** Stops accepting, lets in-flight sends answer (bounded), closes every session. */
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { service, logger, host } = options;
  if (!isLoopback(host) && !options.authToken) throw new UnsafeBindError(host);
  const sessions = new SessionRegistry(
    options.maxSessions ?? 1000,
    options.idleTimeoutMs ?? 30 * 60_000,
  );
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const pendingPosts = new Set<Response>();
  let draining = false;

  const app = express();
  app.disable("x-powered-by");
  if (isLoopback(host)) app.use(hostCheck(new Set(["127.0.0.1", "localhost", "[::1]", host])));
  app.use(originCheck(allowedOrigins));
  app.get("/healthz", (_req, res) => {
    res.json({ status: draining ? "draining" : "ok" });
  });

  const mcp = express.Router();
  mcp.use((_req, res, next) =>
    draining ? jsonRpcError(res, 503, "Server is shutting down") : next(),
  );
  mcp.use(bearerAuth(options.authToken));
  mcp.use(express.json({ limit: options.maxBodyBytes ?? 64 * 1024 }));
  mcp.use((req, res, next) => {
    if (req.method === "POST") {
      pendingPosts.add(res);
      res.on("close", () => pendingPosts.delete(res));
    }
    next();
  });

  const newServer = () => createMcpServer(service);

  if (options.stateless) {
    mcp.post("/mcp", async (req, res) => {
      const server = newServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    });
    mcp.all(["/mcp", "/sse", "/messages"], (_req, res) => {
      jsonRpcError(res, 405, "This server runs stateless: only POST /mcp is served");
    });
  } else {
    mcp.all("/mcp", async (req, res) => {
      const sessionId = req.headers["mcp-session-id"];
      const id = typeof sessionId === "string" ? sessionId : undefined;
      if (id) {
        const transport = sessions.get(id);
        if (!transport) return jsonRpcError(res, 404, "Session not found");
        if (!(transport instanceof StreamableHTTPServerTransport)) {
          return jsonRpcError(res, 400, "Session exists but uses the SSE transport");
        }
        sessions.track(id, res);
        return transport.handleRequest(req, res, req.body);
      }
      if (req.method !== "POST" || !isInitializeRequest(req.body)) {
        return jsonRpcError(res, 400, "Bad Request: no valid session id (initialize first)");
      }
      if (sessions.full) return jsonRpcError(res, 503, "Too many open sessions; try again later");
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (newId) => {
          sessions.add(newId, transport);
          sessions.track(newId, res);
          logger.debug({ transport: "streamable-http", sessions: sessions.size }, "session opened");
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.remove(transport.sessionId);
        logger.debug({ transport: "streamable-http", sessions: sessions.size }, "session closed");
      };
      await newServer().connect(transport);
      await transport.handleRequest(req, res, req.body);
    });

    mcp.get("/sse", async (_req, res) => {
      if (sessions.full) return jsonRpcError(res, 503, "Too many open sessions; try again later");
      const transport = new SSEServerTransport("/messages", res);
      sessions.add(transport.sessionId, transport);
      sessions.track(transport.sessionId, res);
      transport.onclose = () => sessions.remove(transport.sessionId);
      await newServer().connect(transport);
    });

    mcp.post("/messages", async (req, res) => {
      const id = typeof req.query.sessionId === "string" ? req.query.sessionId : "";
      const transport = sessions.get(id);
      if (!transport) return jsonRpcError(res, 404, "Session not found");
      if (!(transport instanceof SSEServerTransport)) {
        return jsonRpcError(res, 400, "Session exists but uses the Streamable HTTP transport");
      }
      await transport.handlePostMessage(req, res, req.body);
    });
  }

  app.use(mcp);
  app.use(
    (
      error: Error & { type?: string; status?: number },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      if (res.headersSent) return;
      if (error.type === "entity.too.large")
        return jsonRpcError(res, 413, "Request body too large");
      if (error.type === "entity.parse.failed")
        return jsonRpcError(res, 400, "Parse error: body is not JSON");
      logger.error({ name: error.name }, "http request failed");
      jsonRpcError(res, 500, "Internal server error");
    },
  );

  const server: NodeHttpServer = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port, host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  for (const h of ["127.0.0.1", "localhost", "[::1]", shownHost])
    allowedOrigins.add(`http://${h}:${port}`);

  return {
    url: `http://${shownHost}:${port}`,
    sessionCount: () => sessions.size,
    async close() {
      draining = true;
      server.close();
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
      await Promise.race([service.idle(), sleep(Math.max(deadline - Date.now(), 0))]);
      // The answer to a finished send is still being written: let those responses end.
      while (pendingPosts.size > 0 && Date.now() < deadline) await sleep(10);
      await sessions.closeAll();
      server.closeAllConnections();
    },
  };
}
