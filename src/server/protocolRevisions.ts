import { PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/server";

/**
 * The stateless revisions this server speaks, as a request's `_meta` envelope names them. The
 * SDK checks the envelope's revision on every HTTP request and on stdio's opening message, but
 * exports no list of them; this one is compared with the SDK's own stdio answer by a test
 * (test/server/protocolRevisions.test.ts), which fails the day the SDK speaks another.
 */
export const MODERN_REVISIONS: readonly string[] = ["2026-07-28"];

/** A JSON-RPC message's `_meta` envelope, where it has one. */
export function envelopeOf(message: unknown): Record<string, unknown> | undefined {
  const params = (message as { params?: { _meta?: unknown } } | null)?.params;
  const meta = params?._meta;
  return typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>) : undefined;
}

/** Whether a message's envelope claims a revision at all (whatever it holds). */
export function claimsRevision(message: unknown): boolean {
  return PROTOCOL_VERSION_META_KEY in (envelopeOf(message) ?? {});
}

/** The revision a JSON-RPC message's `_meta` envelope claims, when it claims one as a string. */
export function claimedRevision(message: unknown): string | undefined {
  const version = envelopeOf(message)?.[PROTOCOL_VERSION_META_KEY];
  return typeof version === "string" ? version : undefined;
}
