// Raw 2026-07-28 requests to the HTTP server, right and wrong: each wrong one gets the spec's
// status and JSON-RPC code, nothing is sent, and the server goes on serving.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningHttpServer } from "../../src/server/http/httpServer.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { sha256 } from "../../src/util/hash.js";
import { type InProcessHttp, startInProcessHttp } from "../helpers/inProcessHttp.js";
import { postInitialize } from "../helpers/mcpHttp.js";
import { postModernCall } from "../helpers/modernCall.js";

const VERSION = "2026-07-28";
const META = {
  "io.modelcontextprotocol/protocolVersion": VERSION,
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
const SEND = { name: "send_sms", arguments: { to_: "+15551234567", message: "Raw and modern" } };

/** A 2026-07-28 tools/call of send_sms with `args`, POSTed to `<url>/mcp` as a modern client sends it. */
function modernSend(url: string, args: object, headers: Record<string, string> = {}) {
  return postModernCall(url, args, { meta: META, headers });
}

interface Raw {
  method?: string;
  params?: Record<string, unknown>;
  /** Headers to send instead of the ones the body implies (undefined removes one). */
  headers?: Record<string, string | undefined>;
  httpMethod?: string;
}

describe("2026-07-28 requests over Streamable HTTP, right and wrong", () => {
  let sim: Simulator;
  let http: InProcessHttp;
  let server: RunningHttpServer;
  let nextId = 1;

  /** One POST as a modern client sends it, with the body's headers unless told otherwise. */
  async function post({
    method = "tools/call",
    params = { ...SEND, _meta: META },
    headers = {},
    httpMethod = "POST",
  }: Raw) {
    const implied: Record<string, string | undefined> = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": VERSION,
      "mcp-method": method,
      "mcp-name": typeof params.name === "string" ? params.name : undefined,
    };
    const all = { ...implied, ...headers };
    const response = await fetch(`${server.url}/mcp`, {
      method: httpMethod,
      headers: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >,
      ...(httpMethod === "POST"
        ? { body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }) }
        : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
    };
  }

  beforeAll(async () => {
    sim = await startSimulator();
    http = await startInProcessHttp(sim);
    server = http.server;
  });
  afterAll(async () => {
    await http?.close();
    await sim?.close();
  });
  beforeEach(() => sim.clear());

  it("server/discover names the revision, carries a cache hint and the server's identity, and opens no session", async () => {
    const { status, headers, body } = await post({
      method: "server/discover",
      params: { _meta: META },
    });
    expect(status).toBe(200);
    expect(headers.get("mcp-session-id")).toBeNull();
    expect(body.result).toMatchObject({
      supportedVersions: [VERSION],
      capabilities: { tools: {} },
      resultType: "complete",
      cacheScope: "private",
      _meta: { "io.modelcontextprotocol/serverInfo": { name: "sms-mcp" } },
    });
    expect(body.result.ttlMs).toBeGreaterThan(0);
    expect(server.sessionCount()).toBe(0);
  });

  it("tools/list carries a real cache hint", async () => {
    const { body } = await post({ method: "tools/list", params: { _meta: META } });
    expect(body.result.tools.map((t: { name: string }) => t.name)).toEqual(["send_sms"]);
    expect(body.result).toMatchObject({ resultType: "complete", cacheScope: "private" });
    expect(body.result.ttlMs).toBeGreaterThan(0);
  });

  it.each([
    ["prompts/list", "prompts"],
    ["resources/list", "resources"],
    ["resources/templates/list", "resourceTemplates"],
  ])("%s: nothing to list, with the same cache hint", async (method, field) => {
    const { body } = await post({ method, params: { _meta: META } });
    expect(body.result).toMatchObject({
      [field]: [],
      resultType: "complete",
      cacheScope: "private",
    });
    expect(body.result.ttlMs).toBeGreaterThan(0);
  });

  it("a right tools/call sends one text and answers with resultType complete", async () => {
    const { status, headers, body } = await post({});
    expect(status).toBe(200);
    expect(headers.get("mcp-session-id")).toBeNull();
    expect(body.result.resultType).toBe("complete");
    expect(body.result.content[0]).toEqual({ type: "text", text: "SMS sent." });
    expect(sim.requests()).toHaveLength(1);
  });

  it.each<[string, Raw, number, number]>([
    [
      "a version the server does not speak (forged)",
      {
        params: {
          ...SEND,
          _meta: { ...META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" },
        },
        headers: { "mcp-protocol-version": "2099-01-01" },
      },
      400,
      -32022,
    ],
    [
      "no clientCapabilities in _meta",
      { params: { ...SEND, _meta: { "io.modelcontextprotocol/protocolVersion": VERSION } } },
      400,
      -32602,
    ],
    [
      "no MCP-Protocol-Version header",
      { headers: { "mcp-protocol-version": undefined } },
      400,
      -32020,
    ],
    [
      "an MCP-Protocol-Version header that differs from _meta",
      { headers: { "mcp-protocol-version": "2025-11-25" } },
      400,
      -32020,
    ],
    ["no Mcp-Method header", { headers: { "mcp-method": undefined } }, 400, -32020],
    [
      "an Mcp-Name header naming another tool",
      { headers: { "mcp-name": "send_email" } },
      400,
      -32020,
    ],
    ["no Mcp-Name header", { headers: { "mcp-name": undefined } }, 400, -32020],
    ["an unknown method", { method: "sms/blast", params: { _meta: META } }, 404, -32601],
    [
      "initialize with the modern envelope",
      {
        method: "initialize",
        params: {
          _meta: META,
          protocolVersion: VERSION,
          capabilities: {},
          clientInfo: { name: "x", version: "0" },
        },
      },
      404,
      -32601,
    ],
  ])("%s: HTTP %d with %d, nothing sent", async (_name, raw, status, code) => {
    const answer = await post(raw);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ jsonrpc: "2.0", error: { code } });
    expect(sim.requests()).toHaveLength(0);
  });

  it("an unsupported version's answer lists the revision the server speaks", async () => {
    const { body } = await post({
      method: "tools/list",
      params: { _meta: { ...META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" } },
      headers: { "mcp-protocol-version": "2099-01-01" },
    });
    expect(body.error.data).toEqual({ supported: [VERSION], requested: "2099-01-01" });
  });

  it.each(["GET", "DELETE"])(
    "%s from a modern client: 405, no stream, no session",
    async (httpMethod) => {
      const { status } = await post({
        httpMethod,
        headers: { "mcp-method": undefined, "mcp-name": undefined },
      });
      expect(status).toBe(405);
      expect(server.sessionCount()).toBe(0);
    },
  );

  it("a legacy session id on a modern request is ignored: served statelessly, nothing minted or echoed", async () => {
    const opened = await postInitialize(`${server.url}/mcp`);
    const sessionId = opened.headers.get("mcp-session-id") as string;
    await opened.text();
    expect(server.sessionCount()).toBe(1);
    const { status, headers, body } = await post({
      params: {
        ...SEND,
        arguments: { ...SEND.arguments, message: "With a stale session id" },
        _meta: META,
      },
      headers: { "mcp-session-id": sessionId },
    });
    expect(status).toBe(200);
    expect(headers.get("mcp-session-id")).toBeNull();
    expect(body.result.content[0].text).toBe("SMS sent.");
    expect(server.sessionCount()).toBe(1);
    expect(sim.requests()).toHaveLength(1);
  });

  it("after all of these the server still serves: one more right call sends", async () => {
    const { body } = await post({
      params: { ...SEND, arguments: { ...SEND.arguments, message: "Still here" }, _meta: META },
    });
    expect(body.result.content[0].text).toBe("SMS sent.");
    expect(sim.requests()).toHaveLength(1);
  });

  it("a modern request on an SSE session gets -32022 naming the legacy revisions, a malformed one 400 -32600, nothing is sent, and the session goes on serving", async () => {
    const stream = await openSse(`${server.url}/sse`);
    const messagesUrl = `${server.url}${await stream.endpoint}`;
    const postMessage = (message: object) =>
      fetch(messagesUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
      });
    const modern = await postMessage({
      jsonrpc: "2.0",
      id: 41,
      method: "tools/call",
      params: { ...SEND, _meta: META },
    });
    expect(modern.status).toBe(202);
    const refusal = await stream.next();
    expect(refusal).toMatchObject({ id: 41, error: { code: -32022 } });
    expect(refusal.error.data.supported).toContain("2025-11-25");
    expect(refusal.error.data.supported).not.toContain(VERSION);

    // Not a JSON-RPC message (no "jsonrpc"), with no claim to a revision: 400 Invalid Request,
    // and nothing goes down the stream for it.
    const malformed = await postMessage({ id: 43, method: "tools/call", params: SEND });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: -32600 } });

    await postMessage({
      jsonrpc: "2.0",
      id: 42,
      method: "initialize",
      params: {
        protocolVersion: "2024-11-05",
        capabilities: {},
        clientInfo: { name: "raw", version: "0" },
      },
    });
    expect(await stream.next()).toMatchObject({
      id: 42,
      result: { protocolVersion: "2024-11-05" },
    });
    expect(sim.requests()).toHaveLength(0);
    stream.close();
  });
});

/** A raw HTTP+SSE stream: the endpoint it names, then each JSON-RPC message it carries. */
async function openSse(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, {
    signal: controller.signal,
    headers: { accept: "text/event-stream" },
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  async function nextEvent(): Promise<{ event: string; data: string }> {
    for (;;) {
      const end = buffered.indexOf("\n\n");
      if (end >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? "";
        return { event, data };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the SSE stream ended");
      buffered += decoder.decode(value, { stream: true });
    }
  }
  const endpoint = nextEvent().then((e) => e.data);
  return {
    endpoint,
    next: async () => {
      await endpoint;
      return JSON.parse((await nextEvent()).data);
    },
    close: () => controller.abort(),
  };
}

describe("2026-07-28 requests meet the same doors as legacy ones", () => {
  const TOKEN = "a-static-token-long-enough-for-any-bind-0123";
  let sim: Simulator;
  let http: InProcessHttp;
  let server: RunningHttpServer;

  const post = (headers: Record<string, string>, args: object = SEND.arguments) =>
    modernSend(server.url, args, headers);

  beforeAll(async () => {
    sim = await startSimulator();
    http = await startInProcessHttp(sim, {
      authToken: TOKEN,
      maxBodyBytes: 2048,
      // A token that opens another connection's endpoints only.
      connectionTokens: {
        any: true,
        connectionOf: (token) => (token === "another-connections-token" ? "other" : undefined),
      },
    });
    server = http.server;
  });
  afterAll(async () => {
    await http?.close();
    await sim?.close();
  });
  beforeEach(() => sim.clear());

  it.each<[string, number, Record<string, string>]>([
    ["no token", 401, {}],
    ["a wrong token", 401, { authorization: "Bearer wrong" }],
    ["another connection's token", 403, { authorization: "Bearer another-connections-token" }],
    ["a foreign Origin", 403, { authorization: `Bearer ${TOKEN}`, origin: "https://evil.example" }],
  ])("%s: %d, nothing sent", async (_name, status, headers) => {
    const response = await post(headers);
    expect(response.status).toBe(status);
    expect(sim.requests()).toHaveLength(0);
  });

  it("a body over the limit: 413, nothing sent", async () => {
    const response = await post(
      { authorization: `Bearer ${TOKEN}` },
      { ...SEND.arguments, message: "x".repeat(3000) },
    );
    expect(response.status).toBe(413);
    expect(sim.requests()).toHaveLength(0);
  });

  it("the right token: sent", async () => {
    const response = await post({ authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { result: { content: Array<{ text: string }> } }).result
        .content[0]?.text,
    ).toBe("SMS sent.");
    expect(sim.requests()).toHaveLength(1);
  });
});

describe("a shutdown with a 2026-07-28 send in flight", () => {
  it("lets the send finish and answer, and refuses what comes after", async () => {
    const sim = await startSimulator();
    const http = await startInProcessHttp(sim);
    try {
      const { server } = http;
      const modernCall = (to: string) => modernSend(server.url, { to_: to, message: "Draining" });
      // The simulator holds this recipient's send for a while: it is in flight at the shutdown.
      const inFlight = modernCall("+15005550007");
      await sim.waitForRequests(1);
      const closed = server.close();
      const after = await modernCall("+15551234567").then(
        (response) => response.status,
        () => "refused",
      );
      const answer = (await (await inFlight).json()) as {
        result: { content: Array<{ text: string }> };
      };
      await closed;
      expect(answer.result.content[0]?.text).toBe("SMS sent.");
      expect([503, "refused"]).toContain(after);
      expect(sim.requests()).toHaveLength(1);
    } finally {
      await http.close();
      await sim.close();
    }
  });
});

describe("a confirmation form's state is bound to the caller it was shown to", () => {
  const ALICE = "alice-token-long-enough-0123456789";
  const BOB = "bob-token-long-enough-0123456789";
  let sim: Simulator;
  let http: InProcessHttp;

  beforeAll(async () => {
    sim = await startSimulator();
    // The env-mode connection's id, as the server names it.
    const served = `env-twilio-${sha256(sim.accounts.twilio.accountSid).slice(0, 12)}`;
    http = await startInProcessHttp(
      sim,
      {
        connectionTokens: {
          any: true,
          connectionOf: (token) => (token === ALICE || token === BOB ? served : undefined),
        },
      },
      { SMS_MCP_CONFIRM: "ask" },
    );
  });
  afterAll(async () => {
    await http?.close();
    await sim?.close();
  });

  const asking = {
    ...META,
    "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } },
  };
  const ARGS = { to_: "+15551234567", message: "Your table is ready." };
  const YES = { confirm: { action: "accept", content: { send: true } } };
  async function call(token: string, params: Record<string, unknown> = {}) {
    const response = await postModernCall(http.server.url, ARGS, {
      meta: asking,
      params,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { result: Record<string, unknown> }).result;
  }

  it("another token's yes on Alice's form is refused, nothing sent; Alice's own yes sends", async () => {
    const form = await call(ALICE);
    expect(form.resultType).toBe("input_required");
    const retry = { requestState: form.requestState, inputResponses: YES };
    const bobs = await call(BOB, retry);
    expect(bobs.structuredContent).toMatchObject({
      error: { category: "confirmation_invalid", reason: expect.stringMatching(/another caller/) },
    });
    expect(sim.requests()).toHaveLength(0);
    const alices = await call(ALICE, retry);
    expect((alices.content as Array<{ text: string }>)[0]?.text).toBe("SMS sent.");
    expect(sim.requests()).toHaveLength(1);
  });
});
