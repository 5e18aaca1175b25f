import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { SIMULATOR_ACCOUNTS, type SimulatorAccounts } from "./accounts.js";
import type { RouteHandler, SimContext } from "./context.js";
import { ANSWERS, parseBody, type ReceivedRequest, type SimRequest, sendJson } from "./http.js";
import { errorOf, INBOX_LIMIT, Inbox, type InboxText, sendOf } from "./inbox.js";
import { serveInboxPage } from "./inboxPage.js";
import { plivoRoutes } from "./plivoRoutes.js";
import { ACCEPTED_LATE_MS, scenarioFor } from "./reservedNumbers.js";
import { type SentCallback, StatusReporter, TELNYX_PUBLIC_KEY } from "./statusCallbacks.js";
import { telnyxRoutes } from "./telnyxRoutes.js";
import { twilioMessagingRoutes, twilioRoutes } from "./twilioRoutes.js";

/** Each provider's API lives under its own path prefix, so one origin serves all three. */
const ROUTES: Array<{
  provider: "twilio" | "plivo" | "telnyx";
  prefix: string;
  handle: RouteHandler;
}> = [
  { provider: "twilio", prefix: "/2010-04-01/Accounts/", handle: twilioRoutes },
  { provider: "twilio", prefix: "/v1/Services", handle: twilioMessagingRoutes },
  { provider: "plivo", prefix: "/v1/Account/", handle: plivoRoutes },
  { provider: "telnyx", prefix: "/v2/", handle: telnyxRoutes },
];
const MAX_BODY_BYTES = 1_048_576;
const INSPECT_PATH = "/_simulator/requests";
const CALLBACKS_PATH = "/_simulator/callbacks";
/** The inbox page's live feed (server-sent events). */
const EVENTS_PATH = "/_simulator/events";
/** How long the "slow" reserved recipient takes to be accepted. */
const SLOW_MS = 1000;

export interface SimulatorOptions {
  host?: string;
  port?: number;
  accounts?: SimulatorAccounts;
  /** How many texts the inbox page keeps, newest. Defaults to {@link INBOX_LIMIT}. */
  inboxLimit?: number;
}

export interface Simulator {
  /** The origin to use as apiBaseUrl, e.g. http://127.0.0.1:4010. */
  url: string;
  accounts: SimulatorAccounts;
  /** Every provider request received so far, oldest first. */
  requests(): ReceivedRequest[];
  /** Every status callback the simulator made, oldest first, as sent and as answered. */
  callbacks(): SentCallback[];
  /**
   * The simulated Telnyx account's webhook public key (for SMS_MCP_TELNYX_PUBLIC_KEY); the
   * same on every run.
   */
  telnyxPublicKey: string;
  /** Resolves once at least `count` requests have been received. */
  waitForRequests(count: number): Promise<void>;
  clear(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function flatHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
  );
}

/** A loopback HTTP server that speaks the send, list-numbers and verify APIs of all three providers. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const accounts = options.accounts ?? SIMULATOR_ACCOUNTS;
  const received: ReceivedRequest[] = [];
  const reporter = new StatusReporter(accounts);
  const inbox = new Inbox(options.inboxLimit);
  /** Each send's inbox text, by the response that will answer it. */
  const inboxTexts = new WeakMap<ServerResponse, InboxText>();
  const hanging = new Set<ServerResponse>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const notify = () => {
    for (const waiter of [...waiters]) {
      if (received.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const context: SimContext = {
    accounts,
    messages: [],
    hang(request) {
      hanging.add(request.res);
      request.res.on("close", () => hanging.delete(request.res));
    },
    accepted(request, to, status, body) {
      const scenario = scenarioFor(to);
      if (scenario === "accepted_reset") return void request.res.socket?.destroy();
      if (scenario === "accepted_unreadable") {
        request.res.writeHead(status, { "Content-Type": "application/json" });
        return void request.res.end("<html><body>502 Bad Gateway</body></html>");
      }
      if (scenario === "accepted_late") {
        this.hang(request);
        const timer = setTimeout(() => sendJson(request.res, status, body), ACCEPTED_LATE_MS);
        request.res.on("close", () => clearTimeout(timer));
        return;
      }
      sendJson(request.res, status, body);
    },
    took(request, provider, message, callbackUrl) {
      const text = inboxTexts.get(request.res);
      if (text) inbox.update(text, { state: "queued", messageId: message.id });
      const url = typeof callbackUrl === "string" && callbackUrl !== "" ? callbackUrl : undefined;
      reporter.report(provider, url, message, (state, errorCode, error) => {
        if (text) inbox.update(text, { state, errorCode, error });
      });
    },
  };

  function clear() {
    received.length = 0;
    context.messages.length = 0;
    reporter.sent.length = 0;
    inbox.clear();
  }

  /** Shows a send in the inbox now; once answered, a refusal shows the provider's error. */
  function watchSend(
    provider: "twilio" | "plivo" | "telnyx",
    send: { to: string; from: string; body: string },
    res: ServerResponse,
  ) {
    const text = inbox.received(provider, send);
    inboxTexts.set(res, text);
    res.on("close", () => {
      if (text.state !== "received") return;
      const answer = ANSWERS.get(res);
      if (!answer)
        return inbox.update(text, { state: "no answer", error: "the provider never answered" });
      const { code, text: words } = errorOf(provider, answer.body);
      inbox.update(text, {
        state: "refused",
        errorCode: code,
        error: `${answer.status}: ${words}`,
      });
    });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://simulator");
    const rawBody = await readBody(req);
    if (rawBody === undefined) return sendJson(res, 413, { error: "request body too large" });

    if (url.pathname === INSPECT_PATH) {
      if (req.method === "DELETE") clear();
      return sendJson(res, 200, { requests: received });
    }
    if (url.pathname === EVENTS_PATH && req.method === "GET") return inbox.stream(res);
    if (serveInboxPage(req.method ?? "GET", url.pathname, res)) return;
    if (url.pathname === CALLBACKS_PATH && req.method === "GET") {
      return sendJson(res, 200, { callbacks: reporter.sent, telnyxPublicKey: TELNYX_PUBLIC_KEY });
    }

    const body = parseBody(req.headers["content-type"], rawBody);
    const request: SimRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body,
      res,
      req,
    };
    const route = ROUTES.find((r) => url.pathname.startsWith(r.prefix));
    received.push({
      provider: route?.provider ?? "unknown",
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flatHeaders(req.headers),
      body,
      rawBody,
      receivedAt: new Date().toISOString(),
    });
    notify();
    const send = route ? sendOf(route.provider, request.method, url.pathname, body) : undefined;
    if (route && send) watchSend(route.provider, send, res);
    // The send's recipient as each route reads it (a Plivo dst may come without its +).
    if (send && scenarioFor(send.to) === "slow") await sleep(SLOW_MS);
    if (route) return route.handle(request, context);
    sendJson(res, 404, {
      error: `the simulator has no route for ${request.method} ${url.pathname}`,
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    accounts,
    requests: () => [...received],
    callbacks: () => [...reporter.sent],
    telnyxPublicKey: TELNYX_PUBLIC_KEY,
    waitForRequests: (count) =>
      received.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    clear,
    close: () =>
      new Promise<void>((resolve) => {
        reporter.close();
        inbox.close();
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
