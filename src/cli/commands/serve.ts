import { ConfigError } from "../../config/configError.js";
import { loadConfig } from "../../config/configFile.js";
import { checkRedisUrl } from "../../config/environment.js";
import { fromConfig, resolveConnection } from "../../config/resolveConnection.js";
import { createLogger, type Logger, openLogger } from "../../log/logger.js";
import { unsafeBind } from "../../server/http/security.js";
import { tuneHeapForServing } from "../../server/tuning.js";
import type { ConfirmMode } from "../../sms/confirmModes.js";
import { longestSendMs } from "../../sms/handOver.js";
import { PROVIDER_NAMES } from "../../sms/providerNames.js";
import { composeSmsService, ledgerOf } from "../compose.js";
import { type CliContext, createCliContext } from "../context.js";
import { CliError } from "../errors.js";

export interface ServeOptions {
  transport: "stdio" | "http";
  /** Repeatable: over HTTP each is served at /connections/<id>/…, the first also at /mcp. */
  connection?: string[];
  /** HTTP: serve every configured connection. */
  allConnections?: boolean;
  dryRun?: boolean;
  /** Overrides the connection's `confirm` (and `SMS_MCP_CONFIRM`). */
  confirm?: ConfirmMode;
  host: string;
  port: string;
  stateless?: boolean;
  allowedOrigins?: string;
  maxBodyBytes: string;
  maxSessions: string;
  idleTimeout: string;
  redisUrl?: string;
  /** http: `/metrics` without auth. */
  metricsPublic?: boolean;
  /** http: also `/metrics` without auth on this loopback port. */
  metricsPort?: string;
  /** stdio: settings that cannot work are explained by every send_sms instead of an exit. */
  explainBadSettings?: boolean;
}

function whole(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, not ${value}`, 2);
  }
  return n;
}

/** The config's per-connection tokens, watched for changes (empty while there is no config). */
async function openTokenIndex({ environment }: CliContext, logger: Logger) {
  const { ConfigTokenIndex } = await import("../../config/tokenIndex.js");
  return ConfigTokenIndex.open(environment.configPath, (error) =>
    logger.error(
      { reason: error instanceof Error ? error.message : String(error) },
      "the config file could not be read again; the connection tokens stay as they were",
    ),
  );
}

/** Checked before anything else, so a bad flag fails fast and touches nothing. */
function httpOptions(options: ServeOptions, { environment }: CliContext) {
  const { authToken, oauthIssuer, publicUrl } = environment;
  const oauth = oauthIssuer && publicUrl ? { issuer: oauthIssuer, publicUrl } : undefined;
  return {
    host: options.host,
    port: whole("--port", options.port, 0, 65_535),
    authToken,
    oauth,
    publicUrl,
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
    metricsPublic: options.metricsPublic === true,
    metricsPort:
      options.metricsPort === undefined
        ? undefined
        : whole("--metrics-port", options.metricsPort, 0, 65_535),
  };
}

/** The connections to serve: the named ones (the first is the default), all, or the usual one. */
async function connectionsToServe(options: ServeOptions, context: CliContext) {
  const wanted = options.connection ?? [];
  if (options.transport === "stdio" && (wanted.length > 1 || options.allConnections)) {
    throw new CliError("stdio serves one connection: pass --connection once", 2);
  }
  if (options.allConnections && wanted.length > 0) {
    throw new CliError("pass either --connection or --all-connections, not both", 2);
  }
  const { environment, secrets } = context;
  if (options.allConnections) {
    const config = await loadConfig(environment.configPath);
    if (config.connections.length === 0) {
      throw new CliError(
        `--all-connections: no connections are configured in ${environment.configPath}`,
      );
    }
    // The config's default first: it is also served at /mcp and /sse.
    const ordered = [...config.connections].sort(
      (a, b) =>
        Number(b.id === config.defaultConnection) - Number(a.id === config.defaultConnection),
    );
    // Resolved from the config just read, not read again for each.
    return ordered.map((c) => fromConfig(c, secrets, environment));
  }
  const names = wanted.length > 0 ? [...new Set(wanted)] : [undefined];
  return Promise.all(
    names.map((name) => resolveConnection({ wanted: name, environment, secrets })),
  );
}

/**
 * `serve` as the CLI runs it. With `--explain-bad-settings` (the MCPB bundle passes it), a host
 * that launched it over stdio and whose settings cannot work (an unknown provider name, a
 * missing key, no connection) gets a server all the same, whose send_sms answers every call
 * with what to fix: a host shows that in the chat, where an exit shows only "server
 * disconnected". Otherwise such settings stop it with one line, as before.
 */
export async function serveAction(options: ServeOptions, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await serveCommand(options, createCliContext(env));
  } catch (error) {
    const forHost = options.explainBadSettings === true && options.transport === "stdio";
    const settings = error instanceof ConfigError || error instanceof CliError;
    if (!forHost || !settings) throw error;
    await serveUnusableSettings(error.message, env);
  }
}

/** Serves stdio with a send_sms that only explains `problem` (see {@link serveAction}). */
async function serveUnusableSettings(problem: string, env: NodeJS.ProcessEnv): Promise<void> {
  const logger = createLogger("info");
  logger.error({ problem }, "the settings cannot work; every send_sms will answer with why");
  const typed = env.SMS_MCP_PROVIDER?.trim().toLowerCase() ?? "";
  const provider = PROVIDER_NAMES.find((p) => typed.startsWith(p.slice(0, 3))) ?? "twilio";
  const reason = `sms-mcp's settings cannot work, so nothing can be sent: ${problem}. The person who set sms-mcp up must fix this in the MCP host's settings for it, then restart it`;
  const { unusableService } = await import("../../server/unusableService.js");
  const { serveStdio } = await import("../../server/stdio.js");
  const connection = {
    id: "unusable",
    label: "sms-mcp (settings to fix)",
    provider,
    defaultFrom: undefined,
  };
  await serveStdio(unusableService(reason, connection), logger, { drainMs: 0 });
}

async function serveCommand(options: ServeOptions, context: CliContext): Promise<void> {
  const http = options.transport === "http" ? httpOptions(options, context) : undefined;
  tuneHeapForServing();
  const logger = await openLogger(
    context.environment.logLevel ?? "info",
    context.environment.logFormat,
  );
  for (const notice of context.environment.envMode?.notices ?? []) logger.info(notice);
  const connections = await connectionsToServe(options, context);
  // Env mode's connection is not in the config file, so no token can name it.
  const servesConfig =
    !context.environment.envMode || options.connection !== undefined || options.allConnections;
  const connectionTokens = http && servesConfig ? await openTokenIndex(context, logger) : undefined;
  if (http) {
    const hasTokens = http.oauth !== undefined || connectionTokens?.any === true;
    const unsafe = unsafeBind(options.host, http.authToken, hasTokens);
    if (unsafe) throw unsafe;
  }
  const redisUrl =
    options.redisUrl === undefined
      ? undefined
      : checkRedisUrl(options.redisUrl, "--redis-url", context.environment.redisCluster);
  // Over HTTP with a public URL, providers report each text's delivery to /status/<id>.
  const { publicUrl } = context.environment;
  const callbackUrl = (id: string) => (http && publicUrl ? `${publicUrl}/status/${id}` : undefined);
  // OpenTelemetry loads only when the standard OTEL_* variables ask for traces.
  const { startTracing } = await import("../../log/tracing.js");
  const tracing = await startTracing(process.env, logger);
  // Over HTTP an operator can scrape /metrics; prom-client loads only then.
  const metrics = http
    ? new (await import("../../server/http/metrics.js")).PrometheusMetrics()
    : undefined;
  // Each connection has its own guardrail state, ledger and audit log.
  const services = await Promise.all(
    connections.map((connection) =>
      composeSmsService(connection, context, logger, {
        dryRun: options.dryRun === true,
        confirm: options.confirm,
        redisUrl,
        statusCallbackUrl: callbackUrl(connection.id),
        metrics: metrics?.forConnection(connection.id, connection.provider),
        tracer: tracing?.tracer,
      }),
    ),
  );
  const redisBacked = services.filter((_, i) => {
    const connection = connections[i];
    const ledger =
      connection && ledgerOf(connection, context.environment, { ...options, redisUrl });
    return ledger?.kind === "redis";
  });
  metrics?.watch({
    redis: () =>
      Promise.all(
        redisBacked.map(async (s) => ({ connection: s.connection.id, up: await s.ready() })),
      ),
  });
  const [service] = services;
  if (!service) throw new CliError("no connection to serve");
  // Each transport's code (the HTTP server and the SDK's HTTP transports) loads only when
  // that transport is chosen.
  if (http) {
    const { serveHttp } = await import("../../server/http/serveHttp.js");
    await serveHttp(service, logger, {
      ...http,
      connections: new Map(services.map((s) => [s.connection.id, s])),
      connectionTokens,
      drainTimeoutMs: longestSendMs(context.environment.timeoutMs),
      metrics,
      beforeExit: tracing?.shutdown,
    });
  } else {
    const { serveStdio } = await import("../../server/stdio.js");
    await serveStdio(service, logger, {
      drainMs: longestSendMs(context.environment.timeoutMs),
      beforeExit: tracing?.shutdown,
    });
  }
}
