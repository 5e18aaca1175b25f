import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface ReceivedRequest {
  provider: "twilio" | "plivo" | "telnyx" | "unknown";
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The body as parsed for the provider's content type (form fields or JSON). */
  body: unknown;
  rawBody: string;
  receivedAt: string;
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  rawBody: string;
  /** Form fields or JSON, by content type. */
  body: unknown;
  res: ServerResponse;
  req: IncomingMessage;
}

export function parseBody(contentType: string | undefined, raw: string): unknown {
  if (raw === "") return undefined;
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** What each response was answered with through sendJson: the inbox reads a refused send's error. */
export const ANSWERS = new WeakMap<ServerResponse, { status: number; body: unknown }>();

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  ANSWERS.set(res, { status, body });
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function basicAuth(header: string | undefined): { user: string; pass: string } | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

export function bearer(header: string | undefined): string | undefined {
  return header?.startsWith("Bearer ") ? header.slice(7) : undefined;
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length);
}
