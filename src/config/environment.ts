import { statSync } from "node:fs";
import { join } from "node:path";
import type { GuardrailSettings } from "../sms/guardrails/settings.js";
import { ConfigError } from "./configError.js";
import { type EnvModeConnection, envModeFrom } from "./envMode.js";
import { booleanOf, guardrailOverridesFromEnv } from "./guardrailSettings.js";
import { configPath, defaultAuditLogPath, stateDir } from "./paths.js";
import { redisTargetOf } from "./redisTarget.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Each provider call's timeout when SMS_MCP_TIMEOUT_MS is not set. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Every variable sms-mcp reads, parsed once (at the CLI's composition root). */
export interface Environment {
  /** `SMS_MCP_CONFIG`, else the platform's config directory + `sms-mcp/config.json`. */
  configPath: string;
  /** The audit log when neither SMS_MCP_AUDIT_LOG nor the connection names one. */
  defaultAuditLogPath: string;
  /** `SMS_MCP_STATE_DIR`, else the platform's state directory: the send ledger's home. */
  stateDir: string;
  /** `SMS_MCP_TIMEOUT_MS`. Default: {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs: number;
  /** `SMS_MCP_LOG_LEVEL`; undefined lets each command choose its own. */
  logLevel: LogLevel | undefined;
  /**
   * `SMS_MCP_LOG_FORMAT`: `json` (one JSON object a line) or `pretty` (one readable line);
   * undefined lets the logger choose by whether stderr is a terminal.
   */
  logFormat: LogFormat | undefined;
  /** `SMS_MCP_AUTH_TOKEN`: the bearer token of the HTTP server. */
  authToken: string | undefined;
  /**
   * `SMS_MCP_PUBLIC_URL`: this server's public origin (`https://sms.example.com`), the base of
   * its OAuth resource (`<origin>/mcp`).
   */
  publicUrl: string | undefined;
  /**
   * `SMS_MCP_TELNYX_PUBLIC_KEY`: the Telnyx account's webhook public key (base64 of the 32-byte
   * Ed25519 key), which Telnyx status callbacks are checked against.
   */
  telnyxPublicKey: string | undefined;
  /**
   * `SMS_MCP_CONFIRM_KEY`: the key (32 bytes or more, base64 or hex) that seals confirmation
   * forms' state, the same on every replica. Unset: one generated and kept with the ledger.
   */
  confirmKey: Uint8Array | undefined;
  /** `SMS_MCP_OAUTH_ISSUER`: the authorization server whose JWT access tokens are accepted. */
  oauthIssuer: string | undefined;
  /** `SMS_MCP_ALLOWED_ORIGINS`, comma-separated. */
  allowedOrigins: string[];
  /** The `SMS_MCP_*` guardrail variables that are set; they override a connection's config. */
  guardrailOverrides: Partial<GuardrailSettings>;
  /** Env mode's connection, when `SMS_MCP_PROVIDER` is set. */
  envMode: EnvModeConnection | undefined;
  /** `SMS_MCP_REDIS_URL`: the shared ledger for several machines; unset = the local one. */
  redisUrl: string | undefined;
  /** `SMS_MCP_REDIS_CLUSTER=1`: `SMS_MCP_REDIS_URL` lists the nodes of a Redis Cluster. */
  redisCluster: boolean;
  /** `SMS_MCP_REDIS_PREFIX`. Default: `sms-mcp:`. */
  redisPrefix: string;
  /**
   * The D-Bus session bus the keychain (Secret Service) is reached through:
   * `DBUS_SESSION_BUS_ADDRESS`, else on Linux `$XDG_RUNTIME_DIR/bus`, else `/run/user/<uid>/bus`
   * when that socket exists. Hosts built on the MCP SDK start servers with a bare environment.
   */
  sessionBusAddress: string | undefined;
}

function sessionBusFrom(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DBUS_SESSION_BUS_ADDRESS) return env.DBUS_SESSION_BUS_ADDRESS;
  if (process.platform !== "linux") return undefined;
  const candidates = [
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, "bus") : undefined,
    process.getuid ? `/run/user/${process.getuid()}/bus` : undefined,
  ];
  for (const path of candidates) {
    if (path && isSocket(path)) return `unix:path=${path}`;
  }
  return undefined;
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

function timeoutFrom(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_TIMEOUT_MS;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1) {
    throw new ConfigError("SMS_MCP_TIMEOUT_MS must be a whole number of milliseconds, at least 1");
  }
  return ms;
}

/**
 * The ledger's Redis as written (a URL, a Sentinel URL, or a cluster's node URLs): checked
 * now, kept as text. The message never repeats it (it may hold a password).
 */
export function checkRedisUrl(value: string, setting: string, cluster = false): string {
  redisTargetOf(value, cluster, setting);
  return value;
}

/**
 * An `https:` URL, or `http:` on a loopback host (local use and tests): tokens and their
 * keys must not travel in clear text.
 */
function checkSecureUrl(value: string, setting: string, { originOnly }: { originOnly: boolean }) {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const loopback = url && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (!url || !(url.protocol === "https:" || (url.protocol === "http:" && loopback))) {
    throw new ConfigError(
      `${setting} must be an https:// URL (http:// only on 127.0.0.1 or localhost)`,
    );
  }
  if (originOnly && (url.pathname !== "/" || url.search !== "" || url.hash !== "")) {
    throw new ConfigError(
      `${setting} must be an origin with no path, such as https://sms.example.com`,
    );
  }
  return originOnly ? url.origin : value;
}

function oauthFrom(env: NodeJS.ProcessEnv): Pick<Environment, "publicUrl" | "oauthIssuer"> {
  const publicUrl = env.SMS_MCP_PUBLIC_URL
    ? checkSecureUrl(env.SMS_MCP_PUBLIC_URL, "SMS_MCP_PUBLIC_URL", { originOnly: true })
    : undefined;
  const oauthIssuer = env.SMS_MCP_OAUTH_ISSUER
    ? checkSecureUrl(env.SMS_MCP_OAUTH_ISSUER, "SMS_MCP_OAUTH_ISSUER", { originOnly: false })
    : undefined;
  if (oauthIssuer && !publicUrl) {
    throw new ConfigError(
      "SMS_MCP_OAUTH_ISSUER needs SMS_MCP_PUBLIC_URL too: this server's public origin, which access tokens must name as their audience",
    );
  }
  return { publicUrl, oauthIssuer };
}

function confirmKeyFrom(value: string | undefined): Uint8Array | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const key = /^([0-9a-f]{2})+$/i.test(text)
    ? Buffer.from(text, "hex")
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(text)
      ? Buffer.from(text, "base64")
      : Buffer.alloc(0);
  if (key.length < 32) {
    throw new ConfigError(
      "SMS_MCP_CONFIRM_KEY must be at least 32 random bytes, written in base64 or hex (openssl rand -base64 32)",
    );
  }
  return new Uint8Array(key);
}

function redisClusterFrom(env: NodeJS.ProcessEnv): boolean {
  const value = env.SMS_MCP_REDIS_CLUSTER?.trim() ?? "";
  const cluster = value === "" ? false : booleanOf(value);
  if (cluster === undefined) throw new ConfigError("SMS_MCP_REDIS_CLUSTER must be true or false");
  return cluster;
}

function telnyxPublicKeyFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const key = value.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(key)) {
    throw new ConfigError(
      "SMS_MCP_TELNYX_PUBLIC_KEY must be the account's public key as Telnyx shows it: 44 base64 characters (a 32-byte Ed25519 key)",
    );
  }
  return key;
}

export type LogFormat = "json" | "pretty";

function logFormatFrom(value: string | undefined): LogFormat | undefined {
  if (value === undefined || value === "") return undefined;
  const format = value.trim().toLowerCase();
  if (format !== "json" && format !== "pretty") {
    throw new ConfigError("SMS_MCP_LOG_FORMAT must be json or pretty");
  }
  return format;
}

function logLevelFrom(value: string | undefined): LogLevel | undefined {
  if (value === undefined || value === "") return undefined;
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`SMS_MCP_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  }
  return level as LogLevel;
}

/** Reads and checks the environment; a malformed value is a ConfigError naming it. */
export function readEnvironment(env: NodeJS.ProcessEnv): Environment {
  const redisCluster = redisClusterFrom(env);
  return {
    configPath: configPath(env),
    defaultAuditLogPath: defaultAuditLogPath(env),
    stateDir: stateDir(env),
    timeoutMs: timeoutFrom(env.SMS_MCP_TIMEOUT_MS),
    logLevel: logLevelFrom(env.SMS_MCP_LOG_LEVEL),
    logFormat: logFormatFrom(env.SMS_MCP_LOG_FORMAT),
    authToken: env.SMS_MCP_AUTH_TOKEN || undefined,
    ...oauthFrom(env),
    telnyxPublicKey: telnyxPublicKeyFrom(env.SMS_MCP_TELNYX_PUBLIC_KEY),
    confirmKey: confirmKeyFrom(env.SMS_MCP_CONFIRM_KEY),
    allowedOrigins: (env.SMS_MCP_ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ""),
    guardrailOverrides: guardrailOverridesFromEnv(env),
    envMode: envModeFrom(env),
    redisUrl: env.SMS_MCP_REDIS_URL
      ? checkRedisUrl(env.SMS_MCP_REDIS_URL, "SMS_MCP_REDIS_URL", redisCluster)
      : undefined,
    redisCluster,
    redisPrefix: env.SMS_MCP_REDIS_PREFIX || "sms-mcp:",
    sessionBusAddress: sessionBusFrom(env),
  };
}
