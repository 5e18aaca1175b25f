import { E164_SHAPE } from "../sms/e164.js";
import {
  DEFAULT_GUARDRAILS,
  type GuardrailSettings,
  type RateLimit,
} from "../sms/guardrails/settings.js";
import { ConfigError } from "./configError.js";
import { parseDuration } from "./duration.js";
import type { GuardrailsConfig } from "./schema.js";

function fail(name: string, expected: string): never {
  throw new ConfigError(`${name} must be ${expected}`);
}

function parseBool(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return fail(name, "true or false");
}

function parseCount(name: string, value: string, min: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? n : fail(name, `a whole number of at least ${min}`);
}

/** "5/1h", "200/24h", "10/30m": a count per window. */
function parseRate(name: string, value: string): RateLimit {
  const match = /^(\d+)\s*\/(.*)$/.exec(value.trim());
  const windowSeconds = match ? parseDuration(match[2] ?? "") : undefined;
  if (!match || windowSeconds === undefined) {
    return fail(name, 'a count per window such as "5/1h" or "200/24h"');
  }
  return { limit: Number(match[1]), windowSeconds };
}

function parseList(name: string, value: string, item: RegExp, expected: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const i of items) if (!item.test(i)) fail(name, `a comma-separated list of ${expected}`);
  return items;
}

/**
 * The one place guardrail settings are read: defaults, then the connection's config, then
 * the environment (the only source in env mode, an override otherwise).
 */
export function guardrailsFrom(
  config: GuardrailsConfig | undefined,
  env: NodeJS.ProcessEnv,
): GuardrailSettings {
  const s: GuardrailSettings = { ...DEFAULT_GUARDRAILS, ...config };
  const overrides: Array<[string, (value: string, name: string) => void]> = [
    [
      "SMS_MCP_DUPLICATE_WINDOW_SECONDS",
      (x, n) => (s.duplicateWindowSeconds = parseCount(n, x, 0)),
    ],
    [
      "SMS_MCP_ALLOWED_COUNTRIES",
      (x, n) =>
        (s.allowedCountries =
          x.trim() === "*"
            ? "*"
            : parseList(n, x.toUpperCase(), /^[A-Z]{2}$/, 'ISO country codes (US,CA) or "*"')),
    ],
    ["SMS_MCP_BLOCK_NON_MOBILE", (x, n) => (s.blockNonMobileTypes = parseBool(n, x))],
    ["SMS_MCP_ALLOW_LIST", (x, n) => (s.allowList = parseList(n, x, E164_SHAPE, "E.164 numbers"))],
    ["SMS_MCP_DENY_LIST", (x, n) => (s.denyList = parseList(n, x, E164_SHAPE, "E.164 numbers"))],
    ["SMS_MCP_RATE_PER_RECIPIENT", (x, n) => (s.perRecipient = parseRate(n, x))],
    ["SMS_MCP_RATE_PER_CONNECTION", (x, n) => (s.perConnection = parseRate(n, x))],
    ["SMS_MCP_MAX_SEGMENTS", (x, n) => (s.maxSegments = parseCount(n, x, 1))],
    ["SMS_MCP_DRY_RUN", (x, n) => (s.dryRun = parseBool(n, x))],
    ["SMS_MCP_AUDIT_LOG", (x) => (s.auditLog = x)],
    ["SMS_MCP_AUDIT_BODIES", (x, n) => (s.auditBodies = parseBool(n, x))],
  ];
  for (const [name, apply] of overrides) {
    const value = env[name];
    if (value !== undefined && value !== "") apply(value, name);
  }
  return s;
}
