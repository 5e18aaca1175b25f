import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Simulator } from "../../src/simulator/simulator.js";
import type { ProviderCredentials } from "../../src/sms/ports/provider.js";
import type { ProviderName } from "../../src/sms/providerNames.js";

/** Env-mode variables that point a spawned server at the simulator's account for `provider`. */
export function providerEnv(simulator: Simulator, provider: ProviderName): Record<string, string> {
  const { twilio, plivo, telnyx } = simulator.accounts;
  const common = { SMS_MCP_PROVIDER: provider, SMS_MCP_API_BASE_URL: simulator.url };
  switch (provider) {
    case "twilio":
      return {
        ...common,
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        SMS_MCP_DEFAULT_FROM: twilio.numbers[0],
      };
    case "plivo":
      return {
        ...common,
        PLIVO_AUTH_ID: plivo.authId,
        PLIVO_AUTH_TOKEN: plivo.authToken,
        SMS_MCP_DEFAULT_FROM: plivo.numbers[0],
      };
    case "telnyx":
      return { ...common, TELNYX_API_KEY: telnyx.apiKey, SMS_MCP_DEFAULT_FROM: telnyx.numbers[0] };
  }
}

/** The simulator's account for `provider`, as an adapter's credentials. */
export function simulatorCredentials(
  simulator: Simulator,
  provider: ProviderName,
): ProviderCredentials {
  const { twilio, plivo, telnyx } = simulator.accounts;
  switch (provider) {
    case "twilio":
      return { provider, accountSid: twilio.accountSid, secret: twilio.authToken };
    case "plivo":
      return { provider, authId: plivo.authId, authToken: plivo.authToken };
    case "telnyx":
      return { provider, apiKey: telnyx.apiKey };
  }
}

const auditDir = mkdtempSync(join(tmpdir(), "sms-mcp-audit-"));

/**
 * The parent's environment without any variable that could select or configure a provider,
 * with the audit log in a temporary folder, and a new state directory (send ledger) for each
 * process, as each had its own memory before: a test that wants processes to share state
 * passes its own SMS_MCP_STATE_DIR.
 */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {
    SMS_MCP_AUDIT_LOG: join(auditDir, `audit-${process.pid}.log`),
    SMS_MCP_STATE_DIR: mkdtempSync(join(auditDir, "state-")),
  };
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(SMS_MCP_|TWILIO_|PLIVO_|TELNYX_)/.test(key)) env[key] = value;
  }
  return env;
}
