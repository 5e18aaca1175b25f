import type { Logger } from "../../log/logger.js";
import type { SmsService } from "../../sms/smsService.js";
import { type HttpServerOptions, startHttpServer } from "./httpServer.js";

type ServeOptions = Omit<HttpServerOptions, "service" | "logger"> & {
  /** Runs once the server has drained, before the process exits (flushing traces). */
  beforeExit?: (() => Promise<void>) | undefined;
};

/**
 * What a request must carry to reach the MCP endpoints, as enforced: every kind of token that
 * opens them, or none (a loopback bind with no token configured).
 */
function protection(options: ServeOptions): string[] {
  const kinds = [
    ...(options.authToken ? ["SMS_MCP_AUTH_TOKEN (every connection)"] : []),
    ...(options.connectionTokens?.any ? ["per-connection tokens (sms-mcp token add)"] : []),
    ...(options.oauth ? [`OAuth access tokens from ${options.oauth.issuer}`] : []),
  ];
  return kinds.length > 0 ? kinds : ["none: any local process can send (loopback bind)"];
}

/** Runs the HTTP transports until SIGTERM/SIGINT, then drains in-flight sends and exits 0. */
export async function serveHttp(
  service: SmsService,
  logger: Logger,
  options: ServeOptions,
): Promise<void> {
  const running = await startHttpServer({ ...options, service, logger });
  service.warmUp();
  logger.info(
    {
      url: running.url,
      stateless: options.stateless === true,
      auth: protection(options),
      connections: [...(options.connections?.keys() ?? [])].map((id) => `/connections/${id}/mcp`),
      metrics: options.metrics
        ? (running.metricsUrl ?? `${running.url}/metrics${options.metricsPublic ? "" : " (auth)"}`)
        : undefined,
    },
    `sms-mcp listening at ${running.url}: Streamable HTTP at /mcp, legacy SSE at /sse; Ctrl-C stops it`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight sends");
    await running.close();
    await options.beforeExit?.().catch(() => undefined);
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
