import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AuthInfo,
  type JSONRPCMessage,
  type MessageExtraInfo,
  parseJSONRPCMessage,
  type Transport,
} from "@modelcontextprotocol/server";

/**
 * The server side of the 2024-11-05 HTTP+SSE transport, on SDK v2's `Transport` interface:
 * `GET /sse` holds a stream open and names the URL to POST to (`endpoint` event), each POSTed
 * message goes to the server, each answer goes down the stream (`message` events).
 *
 * Owned here rather than taken from `@modelcontextprotocol/server-legacy`: that package is a
 * frozen, deprecated copy of v1's transport that needs Express as a peer and brings a second,
 * older copy of the SDK's protocol core; the transport itself is this page. The HTTP side
 * (routing, auth, body limits, which messages may reach it) is the caller's: see sseEndpoint.ts.
 */
export class SseServerTransport implements Transport {
  readonly sessionId = randomUUID();
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private stream: ServerResponse | undefined;

  /**
   * @param messagesPath - where the client POSTs its messages, e.g. `/messages`; the session
   *   id is added as the `sessionId` query parameter.
   * @param res - the `GET /sse` response that becomes the stream.
   */
  constructor(
    private readonly messagesPath: string,
    private readonly res: ServerResponse,
  ) {}

  async start(): Promise<void> {
    if (this.stream) throw new Error("SseServerTransport already started");
    this.res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    const endpoint = `${this.messagesPath}?sessionId=${encodeURIComponent(this.sessionId)}`;
    this.res.write(`event: endpoint\ndata: ${endpoint}\n\n`);
    this.stream = this.res;
    this.res.on("close", () => {
      if (!this.stream) return;
      this.stream = undefined;
      this.onclose?.();
    });
  }

  /** Whether the stream is still open to carry answers. */
  get connected(): boolean {
    return this.stream !== undefined;
  }

  /**
   * Hands one POSTed message to the server, with the request it came in (its headers, such as
   * `traceparent`, and the caller the authenticator let through), as the SDK's HTTP
   * transports hand theirs.
   * @throws when the value is not a JSON-RPC message (the caller answers 400).
   */
  receive(value: unknown, req: IncomingMessage & { auth?: AuthInfo }): void {
    const message = parseJSONRPCMessage(value);
    const headers = new Headers();
    for (const [name, given] of Object.entries(req.headers)) {
      if (given === undefined) continue;
      for (const one of Array.isArray(given) ? given : [given]) headers.append(name, one);
    }
    // The URL is only a label here (the router has already served it): a fixed origin keeps
    // whatever Host the client sent out of it.
    const request = new Request(new URL(req.url ?? "/", "http://localhost"), {
      method: req.method ?? "POST",
      headers,
    });
    this.onmessage?.(message, { request, authInfo: req.auth });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.stream) throw new Error("the SSE stream is closed");
    this.stream.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    stream.end();
    this.onclose?.();
  }
}
