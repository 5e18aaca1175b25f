import type { ProviderCredentials } from "../sms/ports/provider.js";
import { isProviderName, type ProviderName } from "../sms/providerNames.js";
import { senderProblem, UUID_SHAPE } from "../sms/sender.js";
import { ConfigError } from "./configError.js";

/** The connection that environment variables describe (env mode: containers and CI). */
export interface EnvModeConnection {
  provider: ProviderName;
  credentials: ProviderCredentials;
  defaultFrom: string | undefined;
  /** `SMS_MCP_SENDERS`, comma-separated: other senders from_ may name. */
  senders: string[] | undefined;
  /** `SMS_MCP_MESSAGING_PROFILE_ID` (Telnyx). */
  messagingProfileId: string | undefined;
  apiBaseUrl: string | undefined;
  /** What was read in a more forgiving way than it was written, for the log to say. */
  notices: string[];
}

/** A number as a person types it into a settings form: spaces, dashes, dots and brackets. */
const TYPED_NUMBER = /^\+[\d\s().-]+$/;

/**
 * A sender setting as typed into a host's settings form: `+1 555 020 0001` is `+15550200001`
 * (said in `notices`); any other value is taken as it is, to be checked as a sender.
 */
function typedSender(value: string | undefined, setting: string, notices: string[]) {
  const trimmed = value?.trim();
  if (!trimmed || !TYPED_NUMBER.test(trimmed)) return trimmed;
  const number = trimmed.replace(/[\s().-]/g, "");
  // The number itself stays out of the log line: phone numbers are logged at debug only.
  if (number !== trimmed) {
    notices.push(`${setting} had spaces or punctuation in a number; read without them, as E.164`);
  }
  return number;
}

function required(env: NodeJS.ProcessEnv, ...names: string[]): string[] {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `env mode (SMS_MCP_PROVIDER=${env.SMS_MCP_PROVIDER}) needs ${missing.join(" and ")} to be set`,
    );
  }
  return names.map((name) => env[name] as string);
}

function credentialsFromEnv(provider: ProviderName, env: NodeJS.ProcessEnv): ProviderCredentials {
  switch (provider) {
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
    case "telnyx": {
      const [apiKey] = required(env, "TELNYX_API_KEY") as [string];
      return { provider: "telnyx", apiKey };
    }
  }
}

/** A sender of any kind for `provider`, or a ConfigError naming the setting. */
function checkedSender(
  value: string | undefined,
  provider: ProviderName,
  setting: string,
): string | undefined {
  if (!value) return undefined;
  const problem = senderProblem(value, provider);
  if (problem) throw new ConfigError(`${setting}: ${problem}`);
  return value;
}

function checkedProfile(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!UUID_SHAPE.test(value)) {
    throw new ConfigError(
      "SMS_MCP_MESSAGING_PROFILE_ID must be a Telnyx messaging profile id (a UUID)",
    );
  }
  return value;
}

/** An http(s) origin, or a ConfigError naming the setting. */
export function checkApiBaseUrl(value: string, setting: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(`${setting} must be an http(s) origin such as http://127.0.0.1:4010`);
  }
  return value;
}

/** Env mode's connection, undefined when SMS_MCP_PROVIDER is not set. */
export function envModeFrom(env: NodeJS.ProcessEnv): EnvModeConnection | undefined {
  // As typed into a host's settings form: "Twilio " is twilio.
  const provider = env.SMS_MCP_PROVIDER?.trim().toLowerCase();
  if (provider === undefined || provider === "") return undefined;
  if (!isProviderName(provider)) {
    throw new ConfigError(
      `SMS_MCP_PROVIDER must be twilio, plivo or telnyx, not ${JSON.stringify(env.SMS_MCP_PROVIDER)}`,
    );
  }
  const apiBaseUrl = env.SMS_MCP_API_BASE_URL || undefined;
  const notices: string[] = [];
  const defaultFrom = typedSender(env.SMS_MCP_DEFAULT_FROM, "SMS_MCP_DEFAULT_FROM", notices);
  return {
    provider,
    credentials: credentialsFromEnv(provider, env),
    defaultFrom: checkedSender(defaultFrom, provider, "SMS_MCP_DEFAULT_FROM"),
    senders: env.SMS_MCP_SENDERS
      ? env.SMS_MCP_SENDERS.split(",")
          .map((s) => typedSender(s, "SMS_MCP_SENDERS", notices) ?? "")
          .filter((s) => s !== "")
          .map((s) => checkedSender(s, provider, "SMS_MCP_SENDERS") as string)
      : undefined,
    messagingProfileId: checkedProfile(env.SMS_MCP_MESSAGING_PROFILE_ID?.trim()),
    apiBaseUrl: apiBaseUrl && checkApiBaseUrl(apiBaseUrl, "SMS_MCP_API_BASE_URL"),
    notices,
  };
}
