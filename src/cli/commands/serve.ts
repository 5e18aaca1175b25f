import { checkRedisUrl } from "../../config/environment.js";
import { resolveConnection } from "../../config/resolveConnection.js";
import { createLogger } from "../../log/logger.js";
import { unsafeBind } from "../../server/http/security.js";
import { tuneHeapForServing } from "../../server/tuning.js";
import { composeSmsService, longestSendMs } from "../compose.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

export interface ServeOptions {
  transport: "stdio" | "http";
  connection?: string;
  dryRun?: boolean;
  host: string;
  port: string;
  stateless?: boolean;
  allowedOrigins?: string;
  maxBodyBytes: string;
  maxSessions: string;
  idleTimeout: string;
  redisUrl?: string;
}

function whole(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, not ${value}`, 2);
  }
  return n;
}

/** Checked before anything else, so a bad flag or an unsafe bind fails fast and touches nothing. */
function httpOptions(options: ServeOptions, { environment }: CliContext) {
  const { authToken, oauthIssuer, publicUrl } = environment;
  const oauth = oauthIssuer && publicUrl ? { issuer: oauthIssuer, publicUrl } : undefined;
  const unsafe = unsafeBind(options.host, authToken, oauth !== undefined);
  if (unsafe) throw unsafe;
  return {
    host: options.host,
    port: whole("--port", options.port, 0, 65_535),
    authToken,
    oauth,
    stateless: options.stateless === true,
    allowedOrigins:
      options.allowedOrigins === undefined
        ? environment.allowedOrigins
        : options.allowedOrigins
            .split(",")
            .map((origin) => origin.trim())
            .filter((origin) => origin !== ""),
    maxBodyBytes: whole("--max-body-bytes", options.maxBodyBytes, 1024),
    maxSessions: whole("--max-sessions", options.maxSessions, 1),
    idleTimeoutMs: whole("--idle-timeout", options.idleTimeout, 1) * 1000,
  };
}

export async function serveCommand(options: ServeOptions, context: CliContext): Promise<void> {
  const http = options.transport === "http" ? httpOptions(options, context) : undefined;
  tuneHeapForServing();
  const logger = createLogger(context.environment.logLevel ?? "info");
  const connection = await resolveConnection({
    wanted: options.connection,
    environment: context.environment,
    secrets: context.secrets,
  });
  const service = await composeSmsService(connection, context, logger, {
    dryRun: options.dryRun === true,
    redisUrl:
      options.redisUrl === undefined ? undefined : checkRedisUrl(options.redisUrl, "--redis-url"),
  });
  // Each transport's code (the HTTP server and the SDK's HTTP transports) loads only when
  // that transport is chosen.
  if (http) {
    const { serveHttp } = await import("../../server/http/serveHttp.js");
    await serveHttp(service, logger, {
      ...http,
      drainTimeoutMs: longestSendMs(context.environment.timeoutMs),
    });
  } else {
    const { serveStdio } = await import("../../server/stdio.js");
    await serveStdio(service, logger, { drainMs: longestSendMs(context.environment.timeoutMs) });
  }
}
