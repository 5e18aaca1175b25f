import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../log/logger.js";
import type { SmsService } from "../../sms/smsService.js";
import { type ConnectionTokenIndex, createAuthenticator } from "./auth.js";
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SESSIONS,
} from "./defaults.js";
import { EndpointMap } from "./endpoints.js";
import { jsonRpcError } from "./httpIo.js";
import type { PrometheusMetrics } from "./metrics.js";
import type { OAuthOptions } from "./oauth.js";
import { createRouter, type DrainState } from "./router.js";
import {
  type Guard,
  hostCheck,
  isLoopback,
  ListenError,
  originCheck,
  unsafeBind,
} from "./security.js";
import { SessionRegistry } from "./sessions.js";
import { sseEndpoint } from "./sseEndpoint.js";
import { statusRoute } from "./statusRoute.js";
import { streamableEndpoint } from "./streamableEndpoint.js";

export interface HttpServerOptions {
  /** The default connection's send service: served at /mcp and /sse. */
  service: SmsService;
  /**
   * Every connection served at /connections/<id>/mcp and /connections/<id>/sse, by id, the
   * default among them.
   * @default the default service alone
   */
  connections?: ReadonlyMap<string, SmsService>;
  /**
   * Per-connection tokens (`sms-mcp token add`).
   * @default none
   */
  connectionTokens?: ConnectionTokenIndex;
  logger: Logger;
  host: string;
  port: number;
  /** `SMS_MCP_AUTH_TOKEN`: one static bearer token for every connection. */
  authToken?: string | undefined;
  /**
   * This server's public origin (`SMS_MCP_PUBLIC_URL`). When set, providers' status callbacks
   * are taken at `<publicUrl>/status/<connection id>`, and its host is a name Host headers may
   * use.
   * @default none (no callback endpoint)
   */
  publicUrl?: string | undefined;
  /** Accept OAuth access tokens from this issuer for `<publicUrl>/mcp` (DESIGN §11). */
  oauth?: OAuthOptions | undefined;
  /**
   * Origins allowed besides the server's own loopback origin.
   * @default none
   */
  allowedOrigins?: string[];
  /** @default {@link DEFAULT_MAX_BODY_BYTES} */
  maxBodyBytes?: number;
  /** @default {@link DEFAULT_MAX_SESSIONS} */
  maxSessions?: number;
  /** @default {@link DEFAULT_IDLE_TIMEOUT_MS} */
  idleTimeoutMs?: number;
  /**
   * No server-side sessions for legacy clients either: each POST stands alone (2026-07-28
   * requests always do).
   * @default false
   */
  stateless?: boolean;
  /** @default {@link DEFAULT_DRAIN_TIMEOUT_MS} */
  drainTimeoutMs?: number;
  /**
   * Serves `GET /metrics` (Prometheus text) behind the default connection's auth.
   * @default none (no /metrics)
   */
  metrics?: PrometheusMetrics | undefined;
  /**
   * `/metrics` without auth (`--metrics-public`), for a scraper inside a private network.
   * @default false
   */
  metricsPublic?: boolean;
  /**
   * Also serve `/metrics`, without auth, on this loopback port (`--metrics-port`), for a
   * scraper on the same machine.
   * @default none
   */
  metricsPort?: number | undefined;
}

export interface RunningHttpServer {
  url: string;
  /** `http://127.0.0.1:<port>/metrics` when `metricsPort` was given. */
  metricsUrl: string | undefined;
  sessionCount(): number;
  /** Stops accepting, lets in-flight sends answer (bounded), closes every session. */
  close(): Promise<void>;
}

/** The names a local client reaches this server by, in Host headers and browser origins. */
const LOCAL_NAMES = ["127.0.0.1", "localhost", "[::1]"];

/** The Host check on loopback binds (DNS rebinding), then the Origin check. */
function guardsFor(host: string, publicUrl: string | undefined, allowedOrigins: Set<string>) {
  const guards: Guard[] = [originCheck(allowedOrigins)];
  if (isLoopback(host)) {
    // Behind a tunnel or proxy to a loopback port, requests name the public host.
    const names = [...LOCAL_NAMES, host, ...(publicUrl ? [new URL(publicUrl).hostname] : [])];
    guards.unshift(hostCheck(new Set(names)));
  }
  return guards;
}

/**
 * `/metrics` alone, without auth, on a loopback port: nothing else is served there. Its Host
 * is checked as on any loopback bind, so a web page cannot read it through DNS rebinding.
 */
async function listenForMetrics(metrics: PrometheusMetrics, port: number, logger: Logger) {
  const localHost = hostCheck(new Set(LOCAL_NAMES));
  const server = createServer((req, res) => {
    if (!localHost(req, res)) return;
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    if (pathname !== "/metrics" || req.method !== "GET") {
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end("Only GET /metrics is served here\n");
      return;
    }
    metrics.serve(req, res).catch((error: Error) => {
      logger.error({ name: error.name }, "metrics scrape failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await listen(server, port, "127.0.0.1");
  return server;
}

/** Listens on `host:port`; a port in use or a bad address is a ListenError naming it. */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(new ListenError(host, port, error.code));
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

/** Serves MCP over HTTP (DESIGN §5, §11, §15) until `close()`. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { service, logger, host, publicUrl, metrics } = options;
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
  const endpoints = new EndpointMap(
    service,
    options.connections ?? new Map([[service.connection.id, service]]),
  );
  const sessions = new SessionRegistry(
    options.maxSessions ?? DEFAULT_MAX_SESSIONS,
    options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  );
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const stateless = options.stateless === true;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const drain: DrainState = { draining: false, pendingPosts: new Set() };

  const route = createRouter({
    guards: guardsFor(host, publicUrl, allowedOrigins),
    endpoints,
    authenticate: createAuthenticator({
      staticToken: options.authToken,
      oauth,
      connectionTokens: options.connectionTokens,
    }),
    oauth,
    statusCallbacks: publicUrl ? statusRoute({ publicUrl, logger }) : undefined,
    streamable: streamableEndpoint({ sessions, stateless, maxBodyBytes, logger }),
    sse: sseEndpoint(sessions, logger),
    stateless,
    maxBodyBytes,
    drain,
    metrics: metrics && {
      serve: (req, res) => metrics.serve(req, res),
      public: options.metricsPublic === true,
      connectionId: service.connection.id,
    },
  });
  metrics?.watch({ sessionsOpen: () => sessions.size });

  const server = createServer((req, res) => {
    route(req, res).catch((error: Error) => {
      logger.error({ name: error.name }, "http request failed");
      if (!res.headersSent) jsonRpcError(res, 500, "Internal server error");
      else res.end();
    });
  });
  await listen(server, options.port, host);
  // After the main port: a main port that cannot listen must not leave this one holding the
  // process up.
  let metricsServer: Server | undefined;
  if (metrics && options.metricsPort !== undefined) {
    try {
      metricsServer = await listenForMetrics(metrics, options.metricsPort, logger);
    } catch (error) {
      server.close();
      throw error;
    }
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  for (const h of [...LOCAL_NAMES, shownHost]) allowedOrigins.add(`http://${h}:${port}`);

  return {
    url: `http://${shownHost}:${port}`,
    metricsUrl:
      metricsServer && `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`,
    sessionCount: () => sessions.size,
    async close() {
      drain.draining = true;
      server.close();
      const deadline = Date.now() + (options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
      await Promise.race([
        Promise.all(endpoints.all().map((s) => s.idle())),
        sleep(Math.max(deadline - Date.now(), 0)),
      ]);
      // The answer to a finished send is still being written: let those responses end.
      while (drain.pendingPosts.size > 0 && Date.now() < deadline) await sleep(10);
      await sessions.closeAll();
      server.closeAllConnections();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
    },
  };
}
