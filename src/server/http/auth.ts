import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/server";
import { sha256 } from "../../util/hash.js";
import { jsonRpcError } from "./httpIo.js";
import type { OAuthResourceServer } from "./oauth.js";
import { connectionScope, SEND_SCOPE } from "./scopes.js";

/** Per-connection bearer tokens: which connection each one opens. */
export interface ConnectionTokenIndex {
  /** The connection id a bearer token opens, if it is a current token. */
  connectionOf(token: string): string | undefined;
  /** Whether any connection has a token: then every request must authenticate. */
  readonly any: boolean;
}

/**
 * Decides whether a request may reach one connection's MCP endpoints; false means it has
 * been answered (401, 403 or 503). A request let through with a token carries who presented
 * it as `req.auth` (the SDK's `AuthInfo`, passed to handlers as `authInfo`): the caller a
 * confirmation form's state is bound to.
 */
export type Authenticator = (
  req: IncomingMessage,
  res: ServerResponse,
  connectionId: string,
) => Promise<boolean>;

export interface AuthOptions {
  /** `SMS_MCP_AUTH_TOKEN`: one static bearer token for every connection. */
  staticToken?: string | undefined;
  /** OAuth access tokens from an authorization server (`SMS_MCP_OAUTH_ISSUER`). */
  oauth?: OAuthResourceServer | undefined;
  /** Tokens that open one connection each (`sms-mcp token add`). */
  connectionTokens?: ConnectionTokenIndex | undefined;
}

/** Equal-length digests make the comparison constant-time whatever the token lengths. */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), "hex"), Buffer.from(sha256(expected), "hex"));
}

function bearerToken(req: IncomingMessage): string | undefined {
  // The scheme is case-insensitive (RFC 7235).
  return /^bearer +(\S+) *$/i.exec(req.headers.authorization ?? "")?.[1];
}

/**
 * The static token, per-connection tokens and OAuth side by side. With none configured (a
 * loopback bind) every request goes through. The answers follow the MCP authorization spec:
 * a 401 names the Protected Resource Metadata, a 403 the scope that is missing.
 */
export function createAuthenticator(options: AuthOptions): Authenticator {
  const { staticToken, oauth, connectionTokens } = options;
  // Once any token exists, every request needs one: revoking the last token closes the
  // endpoints, it does not open them.
  let required = false;
  return async (req, res, connectionId) => {
    required ||= Boolean(staticToken || oauth || connectionTokens?.any);
    if (!required) return true;
    const given = bearerToken(req);
    if (given !== undefined && staticToken && sameToken(given, staticToken)) {
      // Everyone holding the one static token is one caller.
      return letThrough(req, { token: given, clientId: "static-token", scopes: [] });
    }
    const owner = given === undefined ? undefined : connectionTokens?.connectionOf(given);
    if (given !== undefined && owner === connectionId) {
      // Named by a digest: the token itself goes nowhere else.
      const clientId = `connection-token:${sha256(given).slice(0, 16)}`;
      return letThrough(req, { token: given, clientId, scopes: [] });
    }
    const metadata = oauth ? `, resource_metadata="${oauth.metadataUrl}"` : "";
    if (owner !== undefined) {
      res.setHeader("WWW-Authenticate", `Bearer error="insufficient_scope"${metadata}`);
      jsonRpcError(res, 403, "Forbidden: this token opens another connection's endpoints only");
      return false;
    }
    if (!oauth || given === undefined) {
      const challenge = oauth
        ? `Bearer resource_metadata="${oauth.metadataUrl}", scope="${SEND_SCOPE}"`
        : given === undefined
          ? 'Bearer realm="sms-mcp"'
          : 'Bearer realm="sms-mcp", error="invalid_token"';
      res.setHeader("WWW-Authenticate", challenge);
      jsonRpcError(
        res,
        401,
        "Unauthorized: send Authorization: Bearer <token> (see WWW-Authenticate)",
      );
      return false;
    }
    const check = await oauth.check(given, [SEND_SCOPE, connectionScope(connectionId)]);
    if (check.ok) {
      const { scopes, clientId, expiresAt } = check;
      return letThrough(req, { token: given, clientId: `oauth:${clientId}`, scopes, expiresAt });
    }
    if (check.status === 503) {
      res.setHeader("Retry-After", "5");
      jsonRpcError(res, 503, `Service unavailable: ${check.description}; try again shortly`);
      return false;
    }
    const scope = check.error === "insufficient_scope" ? `, scope="${SEND_SCOPE}"` : "";
    res.setHeader(
      "WWW-Authenticate",
      `Bearer error="${check.error}", error_description="${check.description}"${scope}${metadata}`,
    );
    const word = check.status === 403 ? "Forbidden" : "Unauthorized";
    jsonRpcError(res, check.status, `${word}: ${check.description}`);
    return false;
  };
}

/** Lets a request through, saying who presented its token. */
function letThrough(req: IncomingMessage & { auth?: AuthInfo }, auth: AuthInfo): true {
  req.auth = auth;
  return true;
}
