import { isProviderName, type ProviderCredentials } from "../providers/types.js";
import { ConfigError } from "./configError.js";
import type { ResolvedConnection } from "./connection.js";
import { guardrailsFrom } from "./guardrailSettings.js";

function required(env: NodeJS.ProcessEnv, ...names: string[]): string[] {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `env mode (SMS_MCP_PROVIDER=${env.SMS_MCP_PROVIDER}) needs ${missing.join(" and ")} to be set`,
    );
  }
  return names.map((name) => env[name] as string);
}

function credentialsFromEnv(env: NodeJS.ProcessEnv): ProviderCredentials {
  switch (env.SMS_MCP_PROVIDER) {
    case "twilio": {
      if (env.TWILIO_API_KEY || env.TWILIO_API_SECRET) {
        const [accountSid, apiKeySid, secret] = required(
          env,
          "TWILIO_ACCOUNT_SID",
          "TWILIO_API_KEY",
          "TWILIO_API_SECRET",
        ) as [string, string, string];
        return { provider: "twilio", accountSid, apiKeySid, secret };
      }
      const [accountSid, secret] = required(env, "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") as [
        string,
        string,
      ];
      return { provider: "twilio", accountSid, secret };
    }
    case "plivo": {
      const [authId, authToken] = required(env, "PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN") as [
        string,
        string,
      ];
      return { provider: "plivo", authId, authToken };
    }
    default: {
      const [apiKey] = required(env, "TELNYX_API_KEY") as [string];
      return { provider: "telnyx", apiKey };
    }
  }
}

/** The connection described by environment variables, for containers and CI; undefined when off. */
export function connectionFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConnection | undefined {
  const provider = env.SMS_MCP_PROVIDER;
  if (provider === undefined || provider === "") return undefined;
  if (!isProviderName(provider)) {
    throw new ConfigError(
      `SMS_MCP_PROVIDER must be twilio, plivo or telnyx, not ${JSON.stringify(provider)}`,
    );
  }
  // Read now so a missing variable fails at start-up, not on the first send.
  const credentials = credentialsFromEnv(env);
  const apiBaseUrl = env.SMS_MCP_API_BASE_URL || undefined;
  if (apiBaseUrl && !URL.canParse(apiBaseUrl)) {
    throw new ConfigError("SMS_MCP_API_BASE_URL must be an origin such as http://127.0.0.1:4010");
  }
  return {
    id: "env",
    label: `${provider} (environment)`,
    provider,
    defaultFrom: env.SMS_MCP_DEFAULT_FROM || undefined,
    apiBaseUrl,
    guardrails: guardrailsFrom(undefined, env),
    loadCredentials: async () => credentials,
  };
}
