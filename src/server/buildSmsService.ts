import { ConfigError } from "../config/configError.js";
import type { ResolvedConnection } from "../config/connection.js";
import { KeychainUnavailableError } from "../config/secretStore.js";
import type { Logger } from "../log/logger.js";
import { createProvider } from "../providers/createProvider.js";
import { DEFAULT_TIMEOUT_MS, type ProviderCredentials } from "../providers/types.js";
import { AuditLog, defaultAuditPath } from "../sms/audit/auditLog.js";
import { SmsError } from "../sms/errors.js";
import { type GuardrailStore, MemoryGuardrailStore } from "../sms/guardrails/store.js";
import { SmsService } from "../sms/smsService.js";

export function timeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.SMS_MCP_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
}

export interface BuildOptions {
  timeoutMs?: number;
  /** Shared by every session of an HTTP server, so limits hold across sessions. */
  store?: GuardrailStore;
  dryRun?: boolean;
}

/** Wires a connection to its provider, guardrails and audit log; credentials are read on first use. */
export function buildSmsService(
  connection: ResolvedConnection,
  logger: Logger,
  options: BuildOptions = {},
): SmsService {
  const guardrails = options.dryRun
    ? { ...connection.guardrails, dryRun: true }
    : connection.guardrails;
  const timeoutMs = options.timeoutMs ?? timeoutFromEnv();
  return new SmsService({
    connection,
    logger,
    guardrails,
    store: options.store ?? new MemoryGuardrailStore(),
    audit: new AuditLog(guardrails.auditLog ?? defaultAuditPath()),
    async createProvider(c) {
      let credentials: ProviderCredentials;
      try {
        credentials = await c.loadCredentials();
      } catch (error) {
        // These messages are ours and name no secret; anything else stays hidden.
        const shown = error instanceof ConfigError || error instanceof KeychainUnavailableError;
        throw new SmsError({
          category: "configuration",
          reason: shown ? error.message : "the connection's credentials could not be read",
          retryable: false,
        });
      }
      return createProvider({ credentials, apiBaseUrl: c.apiBaseUrl, timeoutMs });
    },
  });
}
