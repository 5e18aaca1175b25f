import { dirname, join } from "node:path";
import { ConfigError } from "../config/configError.js";
import type { ResolvedConnection } from "../config/connection.js";
import { describeRedisTarget, redisTargetOf } from "../config/redisTarget.js";
import { KeychainUnavailableError } from "../config/secretStore.js";
import type { Logger } from "../log/logger.js";
import { lazyProvider } from "../providers/lazyProvider.js";
import type { ConfirmMode } from "../sms/confirmModes.js";
import { SmsError } from "../sms/errors.js";
import { longestSendMs } from "../sms/handOver.js";
import type { SendMetrics } from "../sms/ports/metrics.js";
import type { GuardrailStore } from "../sms/ports/store.js";
import type { SendTracer } from "../sms/ports/tracer.js";
import { SmsService } from "../sms/smsService.js";
import { AuditLogFile, AuditLogPathError } from "../state/auditLog.js";
import { LocalLedgerStore } from "../state/localLedger.js";
import { MemoryGuardrailStore } from "../state/memoryStore.js";
import type { CliContext } from "./context.js";

export interface ComposeOptions {
  /** Send nothing, whatever the connection says (`serve --dry-run`). Default: the connection's. */
  dryRun?: boolean;
  /** How each text is approved, whatever the connection says (`serve --confirm`). */
  confirm?: ConfirmMode | undefined;
  /** The shared ledger in Redis (`serve --redis-url`). Default: `SMS_MCP_REDIS_URL`. */
  redisUrl?: string | undefined;
  /**
   * The send ledger and guardrail state. Default: Redis when a URL is given, else the local
   * ledger under the state directory, shared with every process using it. A dry run keeps its
   * own in memory: it must not hold back the real send that follows it.
   */
  store?: GuardrailStore;
  /**
   * Ask the provider to report each text's delivery here (HTTP mode with SMS_MCP_PUBLIC_URL:
   * `<public url>/status/<connection id>`). Default: none.
   */
  statusCallbackUrl?: string | undefined;
  /**
   * Where the connection's sends are counted (`serve --transport http`'s /metrics).
   * @default none
   */
  metrics?: SendMetrics | undefined;
  /**
   * Where the connection's spans go (when OTEL_EXPORTER_OTLP_ENDPOINT is set).
   * @default none
   */
  tracer?: SendTracer | undefined;
}

/**
 * Where a connection's ledger lives: a dry run's in memory (it must not hold back the real
 * send that follows it), else in Redis when a URL is given, else in the local file.
 */
export function ledgerOf(
  connection: ResolvedConnection,
  environment: CliContext["environment"],
  options: Pick<ComposeOptions, "dryRun" | "redisUrl"> = {},
): { kind: "memory" } | { kind: "redis"; url: string } | { kind: "local" } {
  if (options.dryRun || connection.guardrails.dryRun) return { kind: "memory" };
  const url = options.redisUrl ?? environment.redisUrl;
  return url ? { kind: "redis", url } : { kind: "local" };
}

/** How long a start waits for Redis before it goes on (refusing sends until Redis answers). */
const REDIS_START_WAIT_MS = 2000;

/** Wires a connection to its provider, guardrail state and audit log: the send path's parts. */
export async function composeSmsService(
  connection: ResolvedConnection,
  { environment }: CliContext,
  logger: Logger,
  options: ComposeOptions = {},
): Promise<SmsService> {
  const guardrails = {
    ...connection.guardrails,
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
  const ledger = ledgerOf(connection, environment, options);
  const store =
    options.store ??
    (ledger.kind === "memory"
      ? new MemoryGuardrailStore()
      : ledger.kind === "redis"
        ? await connectRedis(ledger.url, environment, connection.id, logger)
        : openLocalLedger(join(environment.stateDir, "ledger", `${connection.id}.jsonl`), logger));
  return new SmsService({
    connection: {
      id: connection.id,
      label: connection.label,
      provider: connection.provider,
      defaultFrom: connection.defaultFrom,
      senders: connection.senders,
    },
    guardrails,
    provider: lazyProvider({
      name: connection.provider,
      loadCredentials: () => credentialsForSending(connection),
      apiBaseUrl: connection.apiBaseUrl,
      timeoutMs: environment.timeoutMs,
      messagingProfileId: connection.messagingProfileId,
      statusCallbackUrl: guardrails.dryRun ? undefined : options.statusCallbackUrl,
      telnyxPublicKey: environment.telnyxPublicKey,
      onStatusCallbacksOff: (reason) =>
        logger.warn({ connection: connection.label }, `no status callbacks: ${reason}`),
      onUntrusted: (field, length) =>
        logger.warn(
          { field, length },
          "the provider answered a value outside its documented format; it was replaced",
        ),
    }),
    store,
    audit: openAuditLog(connection.auditLogPath),
    logger,
    confirmKey: environment.confirmKey,
    metrics: options.metrics,
    tracer: options.tracer,
    pendingWaitMs: longestSendMs(environment.timeoutMs),
  });
}

/** The shared ledger; a Redis that is not up yet is logged, and sends wait for it, refused. */
async function connectRedis(
  url: string,
  { redisPrefix, redisCluster }: CliContext["environment"],
  connectionId: string,
  logger: Logger,
): Promise<GuardrailStore> {
  const { RedisGuardrailStore } = await import("../state/redisStore.js");
  const target = redisTargetOf(url, redisCluster, "SMS_MCP_REDIS_URL");
  // Hosts and names only: the URL may carry a password.
  const host = describeRedisTarget(target);
  let lastCode = "";
  const store = new RedisGuardrailStore({
    target,
    prefix: redisPrefix,
    hashTag: connectionId,
    onError: (code) => {
      if (code !== lastCode) logger.warn({ redis: host, code }, "Redis is not reachable");
      lastCode = code;
    },
    onReady: () => {
      if (lastCode !== "") logger.info({ redis: host }, "Redis is reachable again");
      lastCode = "";
    },
    onWeakDurability: (problem) => logger.warn({ redis: host }, problem),
    onLostClaim: (outcome) =>
      logger.error(
        { redis: host, outcome },
        "Redis no longer had this send's claim when its outcome came: it lost data (a restart without persistence, a failover to a replica that missed the claim, a flush), so an identical text could be sent again within its window",
      ),
  });
  if (await store.waitUntilReady(REDIS_START_WAIT_MS)) {
    logger.debug({ redis: host }, "send ledger in Redis");
  } else {
    logger.warn(
      { redis: host },
      "Redis is not reachable yet: every send is refused until it answers",
    );
  }
  return store;
}

/** The audit log, opened now: a path that is a link, a FIFO or a folder stops the start. */
export function openAuditLog(path: string): AuditLogFile {
  const audit = new AuditLogFile(path);
  try {
    audit.open();
  } catch (error) {
    if (error instanceof AuditLogPathError) throw new ConfigError(error.message);
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError(`cannot open the audit log ${path} (${code}); set SMS_MCP_AUDIT_LOG`);
  }
  return audit;
}

/** The ledger file, opened now: an unwritable state directory stops the start, not a send. */
function openLocalLedger(path: string, logger: Logger): LocalLedgerStore {
  const store = new LocalLedgerStore({
    path,
    onSkippedLines: (count) =>
      logger.warn({ path, count }, "skipped unreadable lines in the send ledger"),
    onShortWrite: (error) =>
      logger.error({ path }, `${error.message}; sends are refused until it can write again`),
    onReplaced: (carried) =>
      logger.warn(
        { path, carried },
        "the send ledger was deleted, replaced or truncated while serving: opened the file now there and carried this process's held texts into it",
      ),
  });
  try {
    store.open();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError(
      `cannot use the state directory ${dirname(dirname(path))} (${code}); set SMS_MCP_STATE_DIR to a folder this user can write`,
    );
  }
  return store;
}

/** The connection's credentials; config and keychain messages are ours and name no secret. */
async function credentialsForSending(connection: ResolvedConnection) {
  try {
    return await connection.loadCredentials();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof KeychainUnavailableError) {
      throw new SmsError({
        category: "configuration",
        reason: error.message,
        retryable: false,
        certainlyNotSent: true,
      });
    }
    throw error;
  }
}
