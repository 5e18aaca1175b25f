import type { IncomingMessage, ServerResponse } from "node:http";
import { isIPv4, isIPv6 } from "node:net";
import { jsonRpcError } from "./httpIo.js";

/** A check in front of the MCP endpoints: true lets the request through, false has answered it. */
export type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Whether a bind address is loopback, decided by parsing it: 127.0.0.0/8, ::1 (also as
 * `[::1]` or an IPv4-mapped 127 address) or `localhost`. `127.evil.example` is a name, not
 * loopback.
 */
export function isLoopback(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost") return true;
  if (isIPv4(bare)) return bare.split(".")[0] === "127";
  if (isIPv6(bare)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
    if (mapped) return isIPv4(mapped) && mapped.split(".")[0] === "127";
    return /^(0{0,4}:){2,7}0{0,3}1$|^::1$/i.test(bare);
  }
  return false;
}

/** Shorter bearer tokens are refused on a public bind: guessable tokens guard nothing. */
export const MIN_PUBLIC_TOKEN_LENGTH = 32;

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
      "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID",
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
  constructor(host: string, tokenLength = 0) {
    super(
      tokenLength === 0
        ? `refusing to listen on ${host} without SMS_MCP_AUTH_TOKEN or SMS_MCP_OAUTH_ISSUER: anyone who can reach it could send texts from your number. Set a token or an OAuth issuer, or bind to 127.0.0.1`
        : `refusing to listen on ${host} with a ${tokenLength}-character SMS_MCP_AUTH_TOKEN: a public server needs at least ${MIN_PUBLIC_TOKEN_LENGTH} (openssl rand -hex 32)`,
    );
    this.name = "UnsafeBindError";
  }
}

/** The address and port could not be listened on, in one sentence for the operator. */
export class ListenError extends Error {
  constructor(host: string, port: number, code: string | undefined) {
    super(
      code === "EADDRINUSE"
        ? `port ${port} on ${host} is already in use; stop what is using it or pick another with --port`
        : code === "EACCES"
          ? `not allowed to listen on ${host}:${port} (ports below 1024 need privileges); pick another with --port`
          : code === "EADDRNOTAVAIL"
            ? `${host} is not an address of this machine; bind to one of its addresses, or 127.0.0.1`
            : `cannot listen on ${host}:${port} (${code ?? "error"})`,
    );
    this.name = "ListenError";
  }
}

/** A public bind needs a long static token or OAuth; undefined when the bind is safe. */
export function unsafeBind(
  host: string,
  staticToken: string | undefined,
  oauth: boolean,
): UnsafeBindError | undefined {
  if (isLoopback(host) || oauth) return undefined;
  const length = staticToken?.length ?? 0;
  return length >= MIN_PUBLIC_TOKEN_LENGTH ? undefined : new UnsafeBindError(host, length);
}
