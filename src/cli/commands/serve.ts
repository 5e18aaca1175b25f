import { configPath } from "../../config/paths.js";
import { resolveConnection } from "../../config/resolveConnection.js";
import { KeytarSecretStore } from "../../config/secretStore.js";
import { createLogger } from "../../log/logger.js";
import { buildSmsService } from "../../server/buildSmsService.js";
import { tuneHeapForServing } from "../../server/heapTuning.js";
import { isLoopback, UnsafeBindError } from "../../server/http/security.js";
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
}

function whole(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, not ${value}`, 2);
  }
  return n;
}

/** Checked before anything else, so a bad flag or an unsafe bind fails fast and touches nothing. */
function httpOptions(options: ServeOptions) {
  const authToken = process.env.SMS_MCP_AUTH_TOKEN || undefined;
  if (!isLoopback(options.host) && !authToken) throw new UnsafeBindError(options.host);
  return {
    host: options.host,
    port: whole("--port", options.port, 0, 65_535),
    authToken,
    stateless: options.stateless === true,
    allowedOrigins: (options.allowedOrigins ?? process.env.SMS_MCP_ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o !== ""),
    maxBodyBytes: whole("--max-body-bytes", options.maxBodyBytes, 1024),
    maxSessions: whole("--max-sessions", options.maxSessions, 1),
    idleTimeoutMs: whole("--idle-timeout", options.idleTimeout, 1) * 1000,
  };
}

export async function serveCommand(options: ServeOptions): Promise<void> {
  const http = options.transport === "http" ? httpOptions(options) : undefined;
  tuneHeapForServing();
  const logger = createLogger();
  const connection = await resolveConnection({
    wanted: options.connection,
    env: process.env,
    configPath: configPath(),
    secrets: new KeytarSecretStore(),
  });
  const service = buildSmsService(connection, logger, { dryRun: options.dryRun === true });
  // Each transport's code (the HTTP server and the SDK's HTTP transports) loads only when
  // that transport is chosen.
  if (http) {
    const { serveHttp } = await import("../../server/http/serveHttp.js");
    await serveHttp(service, logger, http);
  } else {
    const { serveStdio } = await import("../../server/stdio.js");
    await serveStdio(service, logger);
  }
}
