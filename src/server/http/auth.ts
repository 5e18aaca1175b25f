import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonRpcError } from "./httpIo.js";
import type { OAuthResourceServer } from "./oauth.js";

/** The scope an access token needs to send through this server. */
export const SEND_SCOPE = "sms:send";

/** Decides whether a request may reach an MCP endpoint; false means it has been answered. */
export type Authenticator = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface AuthOptions {
  /** `SMS_MCP_AUTH_TOKEN`: one static bearer token, compared in constant time. */
  staticToken?: string | undefined;
  /** OAuth access tokens from an authorization server (`SMS_MCP_OAUTH_ISSUER`). */
  oauth?: OAuthResourceServer | undefined;
}

/** Equal-length digests make the comparison constant-time whatever the token lengths. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearerToken(req: IncomingMessage): string | undefined {
  // The scheme is case-insensitive (RFC 7235).
  return /^bearer +(\S+) *$/i.exec(req.headers.authorization ?? "")?.[1];
}

/**
 * The static token and OAuth side by side: either opens the MCP endpoints. With neither
 * configured (a loopback bind) every request goes through. The answers follow the MCP
 * authorization spec: a 401 names the Protected Resource Metadata, a 403 the missing scope.
 */
export function createAuthenticator({ staticToken, oauth }: AuthOptions): Authenticator {
  if (!staticToken && !oauth) return async () => true;
  return async (req, res) => {
    const given = bearerToken(req);
    if (given !== undefined && staticToken && sameToken(given, staticToken)) return true;
    if (!oauth) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="sms-mcp"');
      jsonRpcError(res, 401, "Unauthorized: send Authorization: Bearer <SMS_MCP_AUTH_TOKEN>");
      return false;
    }
    const metadata = `resource_metadata="${oauth.metadataUrl}"`;
    if (given === undefined) {
      res.setHeader("WWW-Authenticate", `Bearer ${metadata}, scope="${SEND_SCOPE}"`);
      jsonRpcError(
        res,
        401,
        "Unauthorized: an OAuth access token is needed (see WWW-Authenticate)",
      );
      return false;
    }
    const check = await oauth.check(given);
    if (check.ok) return true;
    if (check.status === 503) {
      res.setHeader("Retry-After", "5");
      jsonRpcError(res, 503, `Service unavailable: ${check.description}; try again shortly`);
      return false;
    }
    const scope = check.error === "insufficient_scope" ? `, scope="${SEND_SCOPE}"` : "";
    res.setHeader(
      "WWW-Authenticate",
      `Bearer error="${check.error}", error_description="${check.description}"${scope}, ${metadata}`,
    );
    jsonRpcError(
      res,
      check.status,
      `${check.status === 403 ? "Forbidden" : "Unauthorized"}: ${check.description}`,
    );
    return false;
  };
}
