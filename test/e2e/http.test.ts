import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { INITIALIZE } from "../helpers/mcpHttp.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const TOKEN = `test-token-${Date.now()}-9f8e`;

const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };

async function send(client: Client, to: string, message: string) {
  const result = (await client.callTool({
    name: "send_sms",
    arguments: { to_: to, message },
  })) as CallToolResult;
  return result.content[0]?.type === "text" ? result.content[0].text : "";
}

function rawPost(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** node:http, because fetch will not let a caller choose the Host header. */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/healthz`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

describe("serve --transport http", () => {
  let server: HttpCli;
  beforeAll(async () => {
    server = await startHttpCli({ ...providerEnv(sim, "twilio"), SMS_MCP_AUTH_TOKEN: TOKEN }, [
      "--max-body-bytes",
      "2048",
      "--max-sessions",
      "3",
      "--allowed-origins",
      "http://localhost:6274",
    ]);
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(() => sim.clear());

  it("Streamable HTTP: initialize, list, send, reuse the session, DELETE ends it", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      requestInit: auth,
    });
    const client = new Client({ name: "http-test", version: "0" });
    await client.connect(transport);
    const sessionId = transport.sessionId;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["send_sms"]);
    expect(await send(client, "+15551234567", "over streamable http")).toBe("SMS sent.");
    expect(await send(client, "+15551234567", "same session again")).toBe("SMS sent.");
    expect(transport.sessionId).toBe(sessionId);
    expect(sim.requests()).toHaveLength(2);
    // The client's token is for this server only: it never reaches the provider.
    expect(JSON.stringify(sim.requests())).not.toContain(TOKEN);

    await transport.terminateSession();
    const after = await rawPost(
      `${server.url}/mcp`,
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      {
        ...auth.headers,
        "mcp-session-id": sessionId as string,
        "mcp-protocol-version": "2025-06-18",
      },
    );
    expect(after.status).toBe(404);
    await client.close();
  });

  it("legacy HTTP+SSE: list and send", async () => {
    const transport = new SSEClientTransport(new URL(`${server.url}/sse`), {
      requestInit: auth,
      eventSourceInit: {
        fetch: (url, init) =>
          fetch(url, { ...init, headers: { ...init?.headers, ...auth.headers } }),
      },
    });
    const client = new Client({ name: "sse-test", version: "0" });
    await client.connect(transport);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["send_sms"]);
    expect(await send(client, "+15551234567", "over legacy sse")).toBe("SMS sent.");
    expect(sim.requests()).toHaveLength(1);
    await client.close();
  });

  it("unknown session id → 404; no session id after initialize → 400", async () => {
    const unknown = await rawPost(
      `${server.url}/mcp`,
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      {
        ...auth.headers,
        "mcp-session-id": "00000000-0000-0000-0000-000000000000",
      },
    );
    expect(unknown.status).toBe(404);
    const missing = await rawPost(
      `${server.url}/mcp`,
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      auth.headers,
    );
    expect(missing.status).toBe(400);
    const sse = await rawPost(
      `${server.url}/messages?sessionId=nope`,
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      auth.headers,
    );
    expect(sse.status).toBe(404);
  });

  it("no token or a wrong token → 401 with WWW-Authenticate; /healthz needs none", async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: "Bearer wrong" },
      { Authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const response = await rawPost(`${server.url}/mcp`, INITIALIZE, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect((await fetch(`${server.url}/sse`)).status).toBe(401);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect(server.stderr()).not.toContain(TOKEN);
  });

  it("the Bearer scheme is matched case-insensitively (RFC 7235)", async () => {
    for (const scheme of ["bearer", "BEARER", "Bearer"]) {
      const response = await rawPost(`${server.url}/mcp`, INITIALIZE, {
        Authorization: `${scheme} ${TOKEN}`,
      });
      expect(response.status).toBe(200);
      // Closed again: this server allows only three sessions.
      await fetch(`${server.url}/mcp`, {
        method: "DELETE",
        headers: {
          ...auth.headers,
          "mcp-session-id": response.headers.get("mcp-session-id") ?? "",
        },
      });
    }
  });

  it("a foreign Origin → 403; a foreign Host on a loopback bind → 403", async () => {
    const foreign = await rawPost(`${server.url}/mcp`, INITIALIZE, {
      ...auth.headers,
      origin: "https://evil.example",
    });
    expect(foreign.status).toBe(403);
    const own = await rawPost(`${server.url}/mcp`, INITIALIZE, {
      ...auth.headers,
      origin: server.url,
    });
    expect(own.status).toBe(200);
    const ended = await fetch(`${server.url}/mcp`, {
      method: "DELETE",
      headers: { ...auth.headers, "mcp-session-id": own.headers.get("mcp-session-id") ?? "" },
    });
    expect(ended.status).toBe(200);
    expect(await getWithHost(server.url, "evil.example")).toBe(403);
    expect(await getWithHost(server.url, `localhost:${new URL(server.url).port}`)).toBe(200);
  });

  it("an allowed browser origin gets CORS headers and a preflight answer", async () => {
    const preflight = await fetch(`${server.url}/mcp`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:6274",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, mcp-session-id",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:6274");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Mcp-Session-Id/);
    const init = await rawPost(`${server.url}/mcp`, INITIALIZE, {
      ...auth.headers,
      origin: "http://localhost:6274",
    });
    expect(init.status).toBe(200);
    expect(init.headers.get("access-control-expose-headers")).toMatch(/Mcp-Session-Id/);
    await fetch(`${server.url}/mcp`, {
      method: "DELETE",
      headers: { ...auth.headers, "mcp-session-id": init.headers.get("mcp-session-id") ?? "" },
    });
  });

  it("an oversized body → 413, and nothing is sent", async () => {
    const huge = JSON.stringify({ ...INITIALIZE, padding: "x".repeat(4096) });
    const response = await rawPost(`${server.url}/mcp`, huge, auth.headers);
    expect(response.status).toBe(413);
    expect(sim.requests()).toHaveLength(0);
  });

  it("a body that is not JSON → 400, a non-JSON content type → 415; no session opens", async () => {
    const garbled = await rawPost(`${server.url}/mcp`, '{"jsonrpc":"2.0",', auth.headers);
    expect(garbled.status).toBe(400);
    // JSON-RPC 2.0's Parse error.
    expect(await garbled.json()).toMatchObject({
      error: { code: -32700, message: expect.stringMatching(/not JSON/) },
      id: null,
    });
    const asText = await rawPost(`${server.url}/mcp`, INITIALIZE, {
      ...auth.headers,
      "content-type": "text/plain",
    });
    expect(asText.status).toBe(415);
    expect(asText.headers.get("mcp-session-id")).toBeNull();
    expect(sim.requests()).toHaveLength(0);
  });

  it("an unknown path → 404 and a method a path does not serve → 405", async () => {
    expect((await rawPost(`${server.url}/elsewhere`, INITIALIZE, auth.headers)).status).toBe(404);
    expect((await rawPost(`${server.url}/sse`, INITIALIZE, auth.headers)).status).toBe(405);
  });

  it("sessions beyond the limit get 503; existing ones keep working", async () => {
    const clients: Client[] = [];
    for (let i = 0; i < 3; i++) {
      const client = new Client({ name: `c${i}`, version: "0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: auth }),
      );
      clients.push(client);
    }
    const refused = await rawPost(`${server.url}/mcp`, INITIALIZE, auth.headers);
    expect(refused.status).toBe(503);
    expect(await send(clients[0] as Client, "+15551234567", "still here")).toBe("SMS sent.");
    for (const client of clients) {
      await (client.transport as StreamableHTTPClientTransport).terminateSession();
      await client.close();
    }
  });
});

describe("serve --transport http: start-up and shutdown", () => {
  it("refuses to bind a non-loopback address without a token", async () => {
    const run = await runCli(
      ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "0"],
      providerEnv(sim, "telnyx"),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without SMS_MCP_AUTH_TOKEN/);
  });

  it.each([
    [
      "a name that only starts like loopback",
      ["--host", "127.evil.example"],
      {},
      /refusing to listen on 127\.evil\.example without SMS_MCP_AUTH_TOKEN/,
    ],
    [
      "a public bind with a short token",
      ["--host", "0.0.0.0"],
      { SMS_MCP_AUTH_TOKEN: "short-token" },
      /11-character SMS_MCP_AUTH_TOKEN: a public server needs at least 32/,
    ],
  ])("refuses %s", async (_name, args, extra, message) => {
    const run = await runCli(["serve", "--transport", "http", "--port", "0", ...args], {
      ...providerEnv(sim, "telnyx"),
      ...extra,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });

  it("a port already in use is one clear sentence", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const run = await runCli(
        ["serve", "--transport", "http", "--port", String(port)],
        providerEnv(sim, "telnyx"),
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `sms-mcp: port ${port} on 127.0.0.1 is already in use; stop what is using it or pick another with --port\n`,
      );
    } finally {
      busy.close();
    }
  });

  it("SIGTERM lets an in-flight send finish and answer, then exits 0", async () => {
    const server = await startHttpCli(providerEnv(sim, "plivo"));
    // No token on a loopback bind: the start-up log says the endpoints are open.
    const listening = server
      .stderr()
      .split("\n")
      .find((l) => l.includes("sms-mcp listening"));
    expect(JSON.parse(listening ?? "{}").auth).toEqual([
      "none: any local process can send (loopback bind)",
    ]);
    const client = new Client({ name: "shutdown", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    sim.clear();
    const inFlight = send(client, "+15005550007", "slow provider, graceful stop");
    await sim.waitForRequests(1);
    server.child.kill("SIGTERM");
    expect(await inFlight).toBe("SMS sent.");
    expect(await server.exit).toBe(0);
    expect(sim.requests()).toHaveLength(1);
  });

  it("SIGTERM drains for as long as a send can take: a send that times out after 11 s still answers", async () => {
    // Longer than the old fixed 10 s drain: the drain follows the provider timeout.
    const server = await startHttpCli({
      ...providerEnv(sim, "telnyx"),
      SMS_MCP_TIMEOUT_MS: "11000",
    });
    const client = new Client({ name: "shutdown-long", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    sim.clear();
    const inFlight = send(client, "+15005550006", "a provider that never answers");
    await sim.waitForRequests(1);
    server.child.kill("SIGTERM");
    expect(await inFlight).toBe("SMS couldn't be sent");
    expect(await server.exit).toBe(0);
  });

  it("--stateless serves each POST on its own", async () => {
    const server = await startHttpCli(providerEnv(sim, "telnyx"), ["--stateless"]);
    try {
      const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
      const client = new Client({ name: "stateless", version: "0" });
      await client.connect(transport);
      expect(transport.sessionId).toBeUndefined();
      expect((await client.listTools()).tools).toHaveLength(1);
      sim.clear();
      expect(await send(client, "+15551234567", "no session needed")).toBe("SMS sent.");
      expect(sim.requests()).toHaveLength(1);
      await client.close();
    } finally {
      await server.stop();
    }
  });
});
