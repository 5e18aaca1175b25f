import { ConfigError } from "../config/configFile.js";
import type { ResolvedConnection } from "../config/connection.js";
import { KeychainUnavailableError } from "../config/secretStore.js";
import type { Logger } from "../log/logger.js";
import { createProvider } from "../providers/createProvider.js";
import { DEFAULT_TIMEOUT_MS } from "../providers/types.js";
import { SmsError } from "../sms/errors.js";
import { SmsService } from "../sms/smsService.js";

export function timeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.SMS_MCP_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
}

/** Wires a connection to its provider; credentials are read on first use, not at start-up. */
export function buildSmsService(
  connection: ResolvedConnection,
  logger: Logger,
  timeoutMs: number = timeoutFromEnv(),
): SmsService {
  return new SmsService({
    connection,
    logger,
    async createProvider(c) {
      let credentials: Awaited<ReturnType<ResolvedConnection["loadCredentials"]>>;
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
