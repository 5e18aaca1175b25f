import type { IncomingMessage, ServerResponse } from "node:http";
import { PARSE_ERROR } from "@modelcontextprotocol/server";

/**
 * JSON-RPC error envelope, the shape the SDK's transports use for HTTP-level refusals.
 * @param code the JSON-RPC error code; default -32000, the SDK's code for transport refusals
 */
export function jsonRpcError(
  res: ServerResponse,
  status: number,
  message: string,
  code = -32000,
): void {
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

export type JsonBody =
  | { ok: true; value: unknown }
  | { ok: false; status: 400 | 413 | 415; message: string; code?: number };

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Reads a JSON request body of at most `maxBytes` (see {@link readBody}). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  if (!JSON_MEDIA_TYPE.test(req.headers["content-type"] ?? "")) {
    return {
      ok: false,
      status: 415,
      message: "Unsupported Media Type: Content-Type must be application/json",
    };
  }
  const body = await readBody(req, maxBytes);
  if (!body) return { ok: false, status: 413, message: "Request body too large" };
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) };
  } catch {
    return { ok: false, status: 400, message: "Parse error: body is not JSON", code: PARSE_ERROR };
  }
}

/**
 * Reads a request body of at most `maxBytes`; undefined when it is larger. A declared length
 * over the limit is refused before reading; an undeclared one stops being read as soon as it
 * passes the limit.
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<Buffer | undefined> {
  if (Number(req.headers["content-length"]) > maxBytes) {
    req.resume();
    return undefined;
  }
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        req.removeAllListeners("data");
        req.resume();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks, received)));
    req.on("error", reject);
  });
}
