import type { Logger } from "../../log/logger.js";
import type { SmsService } from "../../sms/smsService.js";
import { type HttpServerOptions, startHttpServer } from "./httpServer.js";

/** Runs the HTTP transports until SIGTERM/SIGINT, then drains in-flight sends and exits 0. */
export async function serveHttp(
  service: SmsService,
  logger: Logger,
  options: Omit<HttpServerOptions, "service" | "logger">,
): Promise<void> {
  const running = await startHttpServer({ ...options, service, logger });
  service.warmUp();
  logger.info(
    {
      url: running.url,
      stateless: options.stateless === true,
      auth: Boolean(options.authToken),
      oauthIssuer: options.oauth?.issuer,
      connections: [...(options.connections?.keys() ?? [])].map((id) => `/connections/${id}/mcp`),
    },
    "sms-mcp listening: Streamable HTTP at /mcp, legacy SSE at /sse",
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight sends");
    await running.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
