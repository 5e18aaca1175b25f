import { randomBytes } from "node:crypto";
import { sha256 } from "../util/hash.js";
import { ConfigError } from "./configError.js";
import { updateConnection } from "./connectionStore.js";
import type { ConnectionConfig, ConnectionToken } from "./schema.js";

/** How a per-connection token starts, so that one found in a log or a paste is recognised. */
const TOKEN_PREFIX = "smsmcp_";

export function tokenDigest(token: string): string {
  return sha256(token);
}

/** A new random token for a connection: returned once, only its SHA-256 is stored. */
export async function addConnectionToken(
  path: string,
  wanted: string,
): Promise<{ connection: ConnectionConfig; token: string; id: string }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const entry: ConnectionToken = {
    id: randomBytes(4).toString("hex"),
    sha256: tokenDigest(token),
    created: new Date().toISOString(),
  };
  const connection = await updateConnection(path, wanted, (c) => ({
    ...c,
    tokens: [...(c.tokens ?? []), entry],
  }));
  return { connection, token, id: entry.id };
}

/** Removes one token (by its id, as `token list` shows it), or every token with `all`. */
export async function revokeConnectionToken(
  path: string,
  wanted: string,
  tokenId: string | "all",
): Promise<{ connection: ConnectionConfig; revoked: number }> {
  let revoked = 0;
  const connection = await updateConnection(path, wanted, (c) => {
    const kept = (c.tokens ?? []).filter((t) => tokenId !== "all" && t.id !== tokenId);
    revoked = (c.tokens ?? []).length - kept.length;
    if (revoked === 0) {
      throw new ConfigError(
        tokenId === "all"
          ? `"${c.label}" has no tokens`
          : `"${c.label}" has no token ${tokenId}; \`sms-mcp token list "${c.label}"\` shows them`,
      );
    }
    const { tokens: _old, ...rest } = c;
    return kept.length > 0 ? { ...rest, tokens: kept } : rest;
  });
  return { connection, revoked };
}
