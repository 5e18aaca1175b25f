import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonRpcError } from "./httpIo.js";

/** A check in front of the MCP endpoints: true lets the request through, false has answered it. */
export type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith("127.");
}

/** Equal-length digests make the comparison constant-time whatever the token lengths. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** `Authorization: Bearer <token>` on every MCP endpoint when a token is configured. */
export function bearerAuth(token: string | undefined): Guard {
  return (req, res) => {
    if (!token) return true;
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    if (given !== "" && sameToken(given, token)) return true;
    res.setHeader("WWW-Authenticate", 'Bearer realm="sms-mcp"');
    jsonRpcError(res, 401, "Unauthorized: send Authorization: Bearer <SMS_MCP_AUTH_TOKEN>");
    return false;
  };
}

/**
 * DNS-rebinding defence: a page on another site must not reach a server on loopback. An
 * allowed origin (a browser-based client such as the MCP Inspector) also gets the CORS
 * headers it needs, including the preflight answer.
 */
export function originCheck(allowedOrigins: ReadonlySet<string>): Guard {
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (!allowedOrigins.has(origin)) {
      jsonRpcError(res, 403, `Forbidden: origin ${origin} is not allowed`);
      return false;
    }
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Vary", "Origin");
    res.setHeader("Access-Control-Expose-Headers", "Mcp-Session-Id, WWW-Authenticate");
    if (req.method !== "OPTIONS") return true;
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
    res.setHeader(
      "Access-Control-Allow-Headers",
      "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID",
    );
    res.setHeader("Access-Control-Max-Age", "600");
    res.writeHead(204).end();
    return false;
  };
}

export function hostCheck(allowedHosts: ReadonlySet<string>): Guard {
  return (req, res) => {
    const host = req.headers.host ?? "";
    let hostname: string;
    try {
      hostname = new URL(`http://${host}`).hostname;
    } catch {
      hostname = "";
    }
    if (allowedHosts.has(hostname)) return true;
    jsonRpcError(res, 403, `Forbidden: host ${host || "(none)"} is not allowed`);
    return false;
  };
}

export class UnsafeBindError extends Error {
  constructor(host: string) {
    super(
      `refusing to listen on ${host} without SMS_MCP_AUTH_TOKEN: anyone who can reach it could send texts from your number. Set a token, or bind to 127.0.0.1`,
    );
    this.name = "UnsafeBindError";
  }
}
