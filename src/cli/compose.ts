import { dirname, join } from "node:path";
import { ConfigError } from "../config/configError.js";
import type { ResolvedConnection } from "../config/connection.js";
import { KeychainUnavailableError } from "../config/secretStore.js";
import type { Logger } from "../log/logger.js";
import { lazyProvider } from "../providers/lazyProvider.js";
import { SmsError } from "../sms/errors.js";
import type { GuardrailStore } from "../sms/ports/store.js";
import { SmsService } from "../sms/smsService.js";
import { AuditLogFile } from "../state/auditLog.js";
import { LocalLedgerStore } from "../state/localLedger.js";
import { MemoryGuardrailStore } from "../state/memoryStore.js";
import type { CliContext } from "./context.js";

export interface ComposeOptions {
  /** Send nothing, whatever the connection says (`serve --dry-run`). Default: the connection's. */
  dryRun?: boolean;
  /**
   * The send ledger and guardrail state. Default: the local ledger under the state directory,
   * shared with every process using it (a dry run gets its own in memory: it must not hold
   * back the real send that follows it).
   */
  store?: GuardrailStore;
}

/** Wires a connection to its provider, guardrail state and audit log: the send path's parts. */
export function composeSmsService(
  connection: ResolvedConnection,
  { environment }: CliContext,
  logger: Logger,
  options: ComposeOptions = {},
): SmsService {
  const guardrails = options.dryRun
    ? { ...connection.guardrails, dryRun: true }
    : connection.guardrails;
  const store =
    options.store ??
    (guardrails.dryRun
      ? new MemoryGuardrailStore()
      : openLocalLedger(join(environment.stateDir, "ledger", `${connection.id}.jsonl`), logger));
  return new SmsService({
    connection: {
      id: connection.id,
      label: connection.label,
      provider: connection.provider,
      defaultFrom: connection.defaultFrom,
    },
    guardrails,
    provider: lazyProvider({
      name: connection.provider,
      loadCredentials: () => credentialsForSending(connection),
      apiBaseUrl: connection.apiBaseUrl,
      timeoutMs: environment.timeoutMs,
    }),
    store,
    audit: new AuditLogFile(connection.auditLogPath),
    logger,
    // A send in flight elsewhere is over within two provider calls and the wait between them.
    pendingWaitMs: 2 * environment.timeoutMs + 2500,
  });
}

/** The ledger file, opened now: an unwritable state directory stops the start, not a send. */
function openLocalLedger(path: string, logger: Logger): LocalLedgerStore {
  const store = new LocalLedgerStore({
    path,
    onSkippedLines: (count) =>
      logger.warn({ path, count }, "skipped unreadable lines in the send ledger"),
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
