import type { ProviderCredentials } from "../sms/ports/provider.js";
import { sha256 } from "../util/hash.js";
import { ConfigError } from "./configError.js";
import type { ResolvedConnection } from "./connection.js";
import { listChoices, noSuchConnection } from "./didYouMean.js";
import type { Environment } from "./environment.js";
import type { EnvModeConnection } from "./envMode.js";
import { resolveGuardrails } from "./guardrailSettings.js";
import type { ConfigFile, ConnectionConfig } from "./schema.js";
import type { SecretStore } from "./secretStore.js";

export function findConnection(config: ConfigFile, wanted: string): ConnectionConfig | undefined {
  return (
    config.connections.find((c) => c.id === wanted) ??
    config.connections.find((c) => c.label.toLowerCase() === wanted.toLowerCase())
  );
}

export function credentialsFor(connection: ConnectionConfig, secret: string): ProviderCredentials {
  switch (connection.provider) {
    case "twilio":
      if (!connection.accountSid)
        throw new ConfigError(`connection "${connection.label}" has no accountSid`);
      return {
        provider: "twilio",
        accountSid: connection.accountSid,
        apiKeySid: connection.apiKeySid,
        secret,
      };
    case "plivo":
      if (!connection.authId)
        throw new ConfigError(`connection "${connection.label}" has no authId`);
      return { provider: "plivo", authId: connection.authId, authToken: secret };
    case "telnyx":
      return { provider: "telnyx", apiKey: secret };
  }
}

/** SMS_MCP_AUDIT_LOG, else the connection's own `guardrails.auditLog`, else the default. */
function auditLogPathFor(
  guardrails: ResolvedConnection["guardrails"],
  environment: Environment,
): string {
  return guardrails.auditLog ?? environment.defaultAuditLogPath;
}

/**
 * Env mode's connection id keys its ledger and limits: one per provider account, so two
 * containers of the same account share them and two accounts never do.
 */
function envModeId({ credentials }: EnvModeConnection): string {
  const account =
    credentials.provider === "twilio"
      ? credentials.accountSid
      : credentials.provider === "plivo"
        ? credentials.authId
        : credentials.apiKey;
  return `env-${credentials.provider}-${sha256(account).slice(0, 12)}`;
}

function fromEnvMode(envMode: EnvModeConnection, environment: Environment): ResolvedConnection {
  const guardrails = resolveGuardrails(undefined, environment.guardrailOverrides);
  return {
    id: envModeId(envMode),
    label: `${envMode.provider} (environment)`,
    provider: envMode.provider,
    defaultFrom: envMode.defaultFrom,
    senders: envMode.senders,
    messagingProfileId: envMode.messagingProfileId,
    apiBaseUrl: envMode.apiBaseUrl,
    guardrails,
    auditLogPath: auditLogPathFor(guardrails, environment),
    loadCredentials: async () => envMode.credentials,
  };
}

export function fromConfig(
  connection: ConnectionConfig,
  secrets: SecretStore,
  environment: Environment,
): ResolvedConnection {
  const guardrails = resolveGuardrails(connection.guardrails, environment.guardrailOverrides);
  return {
    id: connection.id,
    label: connection.label,
    provider: connection.provider,
    defaultFrom: connection.defaultFrom,
    senders: connection.senders,
    messagingProfileId: connection.messagingProfileId,
    apiBaseUrl: connection.apiBaseUrl,
    guardrails,
    auditLogPath: auditLogPathFor(guardrails, environment),
    async loadCredentials() {
      const secret = await secrets.get(connection.id);
      if (!secret) {
        throw new ConfigError(
          `the keychain has no secret for connection "${connection.label}"; run: sms-mcp connect ${connection.provider} --label "${connection.label}"`,
        );
      }
      return credentialsFor(connection, secret);
    },
  };
}

/**
 * Which connection `serve` uses: --connection, else env mode, else the config's default,
 * else the only one; otherwise an error listing the choices.
 */
export async function resolveConnection(options: {
  wanted: string | undefined;
  environment: Environment;
  secrets: SecretStore;
}): Promise<ResolvedConnection> {
  const { wanted, environment, secrets } = options;
  const { configPath } = environment;
  if (wanted === undefined && environment.envMode) {
    return fromEnvMode(environment.envMode, environment);
  }
  // Loaded only off env mode: the schema is not needed to start a container.
  const { loadConfig } = await import("./configFile.js");
  const config = await loadConfig(configPath);
  if (wanted !== undefined) {
    const found = findConnection(config, wanted);
    if (!found) {
      throw new ConfigError(
        config.connections.length
          ? noSuchConnection(config, wanted)
          : `no connection named "${wanted}": no connections are configured in ${configPath}`,
      );
    }
    return fromConfig(found, secrets, environment);
  }
  const byDefault = config.defaultConnection
    ? findConnection(config, config.defaultConnection)
    : undefined;
  const only = config.connections.length === 1 ? config.connections[0] : undefined;
  const chosen = byDefault ?? only;
  if (chosen) return fromConfig(chosen, secrets, environment);
  if (config.connections.length === 0) {
    throw new ConfigError(
      "no connection is configured: run `sms-mcp connect <twilio|plivo|telnyx>` or set SMS_MCP_PROVIDER and the provider's variables",
    );
  }
  throw new ConfigError(
    `several connections exist and none is the default; pass --connection with one of ${listChoices(config)}`,
  );
}
