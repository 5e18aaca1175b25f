// The simulator's inbox: every send it received, as the recipient's phone (or the provider's
// refusal) would show it, kept for the inbox page and pushed to it live as server-sent events.

import type { ServerResponse } from "node:http";
import { simulatedSegments } from "./segments.js";

type Provider = "twilio" | "plivo" | "telnyx";

/** One text, from the moment the send arrived. */
export interface InboxText {
  /** The inbox's own id (a send that was refused has no message id). */
  id: string;
  provider: Provider;
  to: string;
  /** The sender the send named: a number, a Messaging Service, a Powerpack, an alphanumeric ID. */
  from: string;
  body: string;
  /** When the send arrived (ISO 8601). */
  time: string;
  segments: number;
  encoding: string;
  /**
   * `received` until the provider answers; then the provider's own delivery word as it moves on
   * (`queued`, `sent`, `delivered`, `undelivered`, `delivery_failed`…), or `refused` when the
   * send was answered with an error, or `no answer` when it never was.
   */
  state: string;
  messageId: string | null;
  /** The provider's error code: the refusal's, or the delivery failure's. */
  errorCode: string | null;
  /** The provider's error words, as it answered them. */
  error: string | null;
}

/** What a provider's error body says, in its own fields. */
export function errorOf(provider: Provider, body: unknown): { code: string | null; text: string } {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (provider === "twilio") {
    return {
      code: fields.code === undefined ? null : String(fields.code),
      text: String(fields.message ?? "error"),
    };
  }
  if (provider === "plivo") return { code: null, text: String(fields.error ?? "error") };
  const [first] = Array.isArray(fields.errors) ? (fields.errors as Record<string, unknown>[]) : [];
  return {
    code: first?.code === undefined ? null : String(first.code),
    text:
      [first?.title, first?.detail].filter((part) => typeof part === "string").join(": ") ||
      "error",
  };
}

/** How many texts the inbox keeps, newest: a page left open for days stays light. */
export const INBOX_LIMIT = 1000;

/** Keeps the latest texts and streams every change to each open inbox page. */
export class Inbox {
  private readonly texts = new Map<string, InboxText>();
  private readonly streams = new Set<ServerResponse>();
  private nextId = 1;

  /** @param limit How many texts to keep, newest. Defaults to {@link INBOX_LIMIT}. */
  constructor(private readonly limit = INBOX_LIMIT) {}

  /** A send arrived: shown at once, as `received`. */
  received(provider: Provider, fields: { to: string; from: string; body: string }): InboxText {
    const { segments, encoding } = simulatedSegments(fields.body);
    const text: InboxText = {
      id: String(this.nextId++),
      provider,
      ...fields,
      time: new Date().toISOString(),
      segments,
      encoding,
      state: "received",
      messageId: null,
      errorCode: null,
      error: null,
    };
    this.texts.set(text.id, text);
    this.publish("text", text);
    // Map keys keep insertion order: the first is the oldest.
    for (const [oldest] of this.texts) {
      if (this.texts.size <= this.limit) break;
      this.texts.delete(oldest);
      this.publish("forget", { id: oldest });
    }
    return text;
  }

  update(text: InboxText, changes: Partial<InboxText>): void {
    if (this.texts.get(text.id) !== text) return;
    Object.assign(text, changes);
    this.publish("text", text);
  }

  clear(): void {
    this.texts.clear();
    this.publish("clear", {});
  }

  /** GET /_simulator/events: everything so far, then each change, until the page goes away. */
  stream(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    // A page whose simulator restarted tries again after a second.
    res.write("retry: 1000\n\n");
    res.write(event("snapshot", [...this.texts.values()]));
    this.streams.add(res);
    res.on("close", () => this.streams.delete(res));
  }

  /** Ends every open stream (the simulator is stopping). */
  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  private publish(name: string, data: unknown): void {
    const message = event(name, data);
    for (const res of this.streams) res.write(message);
  }
}

/** One server-sent event: JSON never holds a raw line break, so one data line carries it. */
function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A send's recipient, sender and text, when the request is one of the three send calls. */
export function sendOf(
  provider: Provider | "unknown",
  method: string,
  path: string,
  body: unknown,
): { to: string; from: string; body: string } | undefined {
  if (method !== "POST" || typeof body !== "object" || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  if (provider === "twilio" && /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(path)) {
    return {
      to: text(fields.To),
      from: text(fields.From) || text(fields.MessagingServiceSid),
      body: text(fields.Body),
    };
  }
  if (provider === "plivo" && /^\/v1\/Account\/[^/]+\/Message\/?$/.test(path)) {
    const to = text(fields.dst);
    return {
      to: to && !to.startsWith("+") ? `+${to}` : to,
      from: text(fields.src) || text(fields.powerpack_uuid),
      body: text(fields.text),
    };
  }
  if (provider === "telnyx" && /^\/v2\/messages\/?$/.test(path)) {
    return { to: text(fields.to), from: text(fields.from), body: text(fields.text) };
  }
  return undefined;
}
