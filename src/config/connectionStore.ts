import type { GuardrailName, GuardrailSettings } from "../sms/guardrails/settings.js";
import { ConfigError } from "./configError.js";
import { loadConfig, saveConfig } from "./configFile.js";
import { withConfigLock } from "./configLock.js";
import { noSuchConnection } from "./didYouMean.js";
import { resolveGuardrails } from "./guardrailSettings.js";
import { findConnection } from "./resolveConnection.js";
import type { ConfigFile, ConnectionConfig } from "./schema.js";
import type { SecretStore } from "./secretStore.js";

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || "connection"
  );
}

function uniqueId(config: ConfigFile, base: string): string {
  const taken = new Set(config.connections.map((c) => c.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

export type NewConnection = Omit<ConnectionConfig, "id">;

/**
 * Adds a connection, or updates the one with the same label (how credentials are rotated).
 * Secret first, then config; if the config write fails the keychain is put back as it was,
 * so there is never a config entry without its secret nor an orphaned secret.
 */
export function upsertConnection(
  path: string,
  secrets: SecretStore,
  input: NewConnection,
  secret: string,
): Promise<{ connection: ConnectionConfig; updated: boolean }> {
  // Under the lock and re-read: a concurrent connect's connection is never overwritten.
  return withConfigLock(path, () => upsertLocked(path, secrets, input, secret));
}

async function upsertLocked(
  path: string,
  secrets: SecretStore,
  input: NewConnection,
  secret: string,
): Promise<{ connection: ConnectionConfig; updated: boolean }> {
  const config = await loadConfig(path);
  const existing = config.connections.find(
    (c) => c.label.toLowerCase() === input.label.toLowerCase(),
  );
  const base = slug(input.label);
  const id =
    existing?.id ??
    uniqueId(config, base.includes(input.provider) ? base : `${input.provider}-${base}`);
  // Rotating credentials keeps the connection's HTTP tokens.
  const connection: ConnectionConfig = existing?.tokens
    ? { ...input, id, tokens: existing.tokens }
    : { ...input, id };
  const previousSecret = existing ? await secrets.get(id) : null;

  await secrets.set(id, secret);
  const next: ConfigFile = {
    ...config,
    connections: existing
      ? config.connections.map((c) => (c.id === id ? connection : c))
      : [...config.connections, connection],
  };
  if (!next.defaultConnection && next.connections.length === 1) next.defaultConnection = id;
  try {
    await saveConfig(path, next);
  } catch (error) {
    if (previousSecret !== null) await secrets.set(id, previousSecret);
    else await secrets.delete(id);
    throw error;
  }
  return { connection, updated: existing !== undefined };
}

/** Removes both parts; the keychain entry is restored if the config cannot be written. */
export function removeConnection(
  path: string,
  secrets: SecretStore,
  wanted: string,
): Promise<ConnectionConfig> {
  return withConfigLock(path, () => removeLocked(path, secrets, wanted));
}

async function removeLocked(
  path: string,
  secrets: SecretStore,
  wanted: string,
): Promise<ConnectionConfig> {
  const config = await loadConfig(path);
  const found = findConnection(config, wanted);
  if (!found) throw new ConfigError(noSuchConnection(config, wanted));
  const secret = await secrets.get(found.id);
  await secrets.delete(found.id);
  const next: ConfigFile = {
    ...config,
    connections: config.connections.filter((c) => c.id !== found.id),
  };
  if (next.defaultConnection === found.id) delete next.defaultConnection;
  try {
    await saveConfig(path, next);
  } catch (error) {
    if (secret !== null) await secrets.set(found.id, secret);
    throw error;
  }
  return found;
}

/** Makes a connection the default one, the one used when no --connection is given. */
export function setDefaultConnection(path: string, wanted: string): Promise<ConnectionConfig> {
  return withConfigLock(path, async () => {
    const config = await loadConfig(path);
    const found = findConnection(config, wanted);
    if (!found) throw new ConfigError(noSuchConnection(config, wanted));
    if (config.defaultConnection !== found.id) {
      await saveConfig(path, { ...config, defaultConnection: found.id });
    }
    return found;
  });
}

/**
 * Sets (a value) or unsets (undefined) one guardrail field of a connection in the config file,
 * under the same lock and atomic write as `connect`; the whole connection is checked again by
 * the config schema, and its guardrails as `serve` would combine them with `overrides` (this
 * environment's), before anything is written: a combination that cannot work, such as
 * templatesOnly without templates, is a ConfigError and leaves the file as it was.
 */
export function setGuardrail(
  path: string,
  wanted: string,
  name: GuardrailName,
  value: unknown,
  overrides: Partial<GuardrailSettings> = {},
): Promise<ConnectionConfig> {
  return updateConnection(path, wanted, (found) => {
    const guardrails: Record<string, unknown> = { ...found.guardrails };
    if (value === undefined) delete guardrails[name];
    else guardrails[name] = value;
    const updated: ConnectionConfig = { ...found, guardrails };
    if (Object.keys(guardrails).length === 0) delete updated.guardrails;
    resolveGuardrails(updated.guardrails, overrides);
    return updated;
  });
}

/**
 * Changes one connection in the config file under the config lock, with the atomic write and
 * schema check of `saveConfig`; the connection is named as the CLI names it.
 */
export async function updateConnection(
  path: string,
  wanted: string,
  change: (connection: ConnectionConfig) => ConnectionConfig,
): Promise<ConnectionConfig> {
  return withConfigLock(path, async () => {
    const config = await loadConfig(path);
    const found = findConnection(config, wanted);
    if (!found) throw new ConfigError(noSuchConnection(config, wanted));
    const changed = change(found);
    const next: ConfigFile = {
      ...config,
      connections: config.connections.map((c) => (c.id === found.id ? changed : c)),
    };
    await saveConfig(path, next);
    return changed;
  });
}
