import { ConfigError } from "../config/configError.js";
import type { ResolvedConnection } from "../config/connection.js";
import { KeychainUnavailableError } from "../config/secretStore.js";
import type { Logger } from "../log/logger.js";
import { lazyProvider } from "../providers/lazyProvider.js";
import { SmsError } from "../sms/errors.js";
import type { GuardrailStore } from "../sms/ports/store.js";
import { SmsService } from "../sms/smsService.js";
import { AuditLogFile } from "../state/auditLog.js";
import { MemoryGuardrailStore } from "../state/memoryStore.js";
import type { CliContext } from "./context.js";

export interface ComposeOptions {
  /** Send nothing, whatever the connection says (`serve --dry-run`). Default: the connection's. */
  dryRun?: boolean;
  /** Guardrail state. Default: a new in-memory store for this process. */
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
    store: options.store ?? new MemoryGuardrailStore(),
    audit: new AuditLogFile(connection.auditLogPath),
    logger,
  });
}

/** The connection's credentials; config and keychain messages are ours and name no secret. */
async function credentialsForSending(connection: ResolvedConnection) {
  try {
    return await connection.loadCredentials();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof KeychainUnavailableError) {
      throw new SmsError({ category: "configuration", reason: error.message, retryable: false });
    }
    throw error;
  }
}
