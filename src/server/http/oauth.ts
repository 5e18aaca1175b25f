import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/client";
import type { OAuthProtectedResourceMetadata } from "@modelcontextprotocol/server";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { SEND_SCOPE } from "./scopes.js";

/** Only asymmetric signatures: a token must be signed by a key the issuer publishes. */
const ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

export interface OAuthOptions {
  /** The authorization server's issuer URL (`SMS_MCP_OAUTH_ISSUER`). */
  issuer: string;
  /** This server's public origin (`SMS_MCP_PUBLIC_URL`); the resource is `<origin>/mcp`. */
  publicUrl: string;
  /** How long one fetch of the issuer's metadata or keys may take. Default: 5000 ms. */
  fetchTimeoutMs?: number;
  /** Clock skew allowed on `exp` and `nbf`. Default: 60 s. */
  clockToleranceSeconds?: number;
  /**
   * The shortest time between two fetches of the issuer's keys that a token with an unknown
   * `kid` can cause (a key rotation is picked up after it; random kids cannot flood the
   * issuer). Default: 1000 ms.
   */
  keyRefetchCooldownMs?: number;
}

/** What a bearer token is worth: the request goes on, or the answer to give it. */
export type TokenCheck =
  | {
      ok: true;
      scopes: string[];
      /**
       * Who presented the token: the client it was issued to (RFC 9068 `client_id`, else
       * `azp`) and the subject it acts for (`sub`), so that two people on one client differ.
       */
      clientId: string;
      /** Seconds since the epoch (the token's `exp`). */
      expiresAt: number | undefined;
    }
  | {
      ok: false;
      status: 401 | 403 | 503;
      error?: "invalid_token" | "insufficient_scope";
      description: string;
    };

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** A scope claim as issuers write it: a space-separated string, or a list of strings. */
function scopeList(claim: unknown): string[] {
  if (typeof claim === "string") return claim.split(" ").filter(Boolean);
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === "string");
  return [];
}

function scopesOf(payload: JWTPayload): string[] {
  // RFC 9068 and most servers send `scope` (space-separated); some send `scp`, and some send
  // either one as a list.
  const scope = scopeList(payload.scope);
  return scope.length > 0 ? scope : scopeList(payload.scp);
}

/** A verification failure that says nothing about the token: the issuer could not be asked. */
function issuerUnreachable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error.code === "ERR_JOSE_GENERIC"
  );
}

/**
 * The OAuth 2.1 resource server side of the MCP authorization spec: Protected Resource
 * Metadata (RFC 9728) and JWT access tokens checked against the issuer's published keys,
 * for the resource `<public url>/mcp` (RFC 8707) and the scope `sms:send`.
 */
export class OAuthResourceServer {
  readonly issuer: string;
  readonly resource: string;
  /** Where clients find the metadata: named in every 401's `WWW-Authenticate`. */
  readonly metadataUrl: string;
  private keys: Promise<KeySet> | undefined;
  private readonly fetchTimeoutMs: number;
  private readonly clockToleranceSeconds: number;
  private readonly keyRefetchCooldownMs: number;

  constructor(options: OAuthOptions) {
    this.issuer = options.issuer;
    this.resource = `${options.publicUrl}/mcp`;
    this.metadataUrl = `${options.publicUrl}/.well-known/oauth-protected-resource/mcp`;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 5000;
    this.clockToleranceSeconds = options.clockToleranceSeconds ?? 60;
    this.keyRefetchCooldownMs = options.keyRefetchCooldownMs ?? 1000;
  }

  metadata(): OAuthProtectedResourceMetadata {
    return {
      resource: this.resource,
      authorization_servers: [this.issuer],
      scopes_supported: [SEND_SCOPE],
      bearer_methods_supported: ["header"],
    };
  }

  /** The issuer's key set, found through its metadata; a failed discovery is tried again next time. */
  private keySet(): Promise<KeySet> {
    if (this.keys) return this.keys;
    const keys = (async () => {
      const fetchFn: typeof fetch = (url, init) =>
        fetch(url, { ...init, signal: AbortSignal.timeout(this.fetchTimeoutMs) });
      const metadata = await discoverAuthorizationServerMetadata(this.issuer, { fetchFn });
      if (!metadata?.jwks_uri || metadata.issuer !== this.issuer) {
        throw new Error("the issuer's metadata names another issuer or no jwks_uri");
      }
      return createRemoteJWKSet(new URL(metadata.jwks_uri), {
        timeoutDuration: this.fetchTimeoutMs,
        cooldownDuration: this.keyRefetchCooldownMs,
      });
    })();
    this.keys = keys;
    keys.catch(() => {
      if (this.keys === keys) this.keys = undefined;
    });
    return keys;
  }

  /** Verifies a token, and that it carries one of `acceptedScopes`. */
  async check(
    token: string,
    acceptedScopes: readonly string[] = [SEND_SCOPE],
  ): Promise<TokenCheck> {
    let keys: KeySet;
    try {
      keys = await this.keySet();
    } catch {
      return { ok: false, status: 503, description: "the authorization server cannot be reached" };
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.issuer,
        audience: this.resource,
        clockTolerance: this.clockToleranceSeconds,
        algorithms: ALGORITHMS,
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      if (issuerUnreachable(error)) {
        return {
          ok: false,
          status: 503,
          description: "the authorization server's keys cannot be fetched",
        };
      }
      return {
        ok: false,
        status: 401,
        error: "invalid_token",
        description: invalidReason(error),
      };
    }
    const scopes = scopesOf(payload);
    if (!acceptedScopes.some((scope) => scopes.includes(scope))) {
      return {
        ok: false,
        status: 403,
        error: "insufficient_scope",
        description: `the token lacks the ${SEND_SCOPE} scope for this connection`,
      };
    }
    const claim = (value: unknown) => (typeof value === "string" ? value : "");
    const client = claim(payload.client_id) || claim(payload.azp);
    const clientId = JSON.stringify([client, claim(payload.sub)]);
    return { ok: true, scopes, clientId, expiresAt: payload.exp };
  }
}

/** Why a token was refused, in words that carry nothing of the token itself. */
function invalidReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "the token is for another resource";
    if (error.claim === "iss") return "the token is from another issuer";
    if (error.claim === "nbf") return "the token is not valid yet";
    return `the token's ${error.claim} claim is not acceptable`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return "the token is signed by an unknown key";
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "the token's signature is invalid";
  return "the token is not a valid JWT access token";
}
