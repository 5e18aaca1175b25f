// DESIGN §18: GET /metrics in Prometheus's text format after known sends, read back by a
// parser of that format: exact counts, bounded labels, and nothing personal or secret in it.

import { request } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { freePort } from "../helpers/ports.js";
import { redisStatus, startRedis } from "../helpers/redisServer.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const TOKEN = "metrics-test-token-4f1c2a9e";
const TO = "+15551234567";
const BODY = "Planted body 8842-XYZ for the metrics test";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The samples of a Prometheus text exposition (format 0.0.4): `# HELP`/`# TYPE` lines, then
 * `name{label="value",…} number` per line. Throws on a line that is neither.
 */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[key as string] = (value as string).replace(/\\(.)/g, "$1");
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.reduce((sum, s) => sum + s.value, 0);
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

/** A legacy client with a session, as a host keeps one open. */
async function connect(url: string) {
  const client = new Client({ name: "metrics-test", version: "0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
  });
  await client.connect(transport);
  return {
    call: async (args: Record<string, unknown>) =>
      (await client.callTool({ name: "send_sms", arguments: args })) as CallToolResult,
    /** Ends the session (DELETE), then the client. */
    async close() {
      await transport.terminateSession();
      await client.close();
    },
  };
}

async function callTool(url: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const client = await connect(url);
  try {
    return await client.call(args);
  } finally {
    await client.close();
  }
}

async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(`${url}/metrics`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  return parseExposition(await response.text());
}

describe("GET /metrics after known sends", () => {
  let server: HttpCli;
  let metricsPort: number;
  const env = () => ({
    ...providerEnv(sim, "telnyx"),
    SMS_MCP_AUTH_TOKEN: TOKEN,
    SMS_MCP_DENY_LIST: "+15557654321",
  });

  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startHttpCli(env(), ["--metrics-port", String(metricsPort)]);
    sim.clear();
    for (const message of [BODY, `${BODY} (2)`, BODY]) {
      await callTool(server.url, { to_: TO, message });
    }
    await callTool(server.url, { to_: "+15557654321", message: BODY });
    await callTool(server.url, { to_: "not a number", message: BODY });
  });
  afterAll(() => server?.stop());

  it("counts each outcome, each refusal's category and each provider call exactly", async () => {
    const response = await fetch(`${server.url}/metrics`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(await response.text());
    const sends = (outcome: string) =>
      value(samples, "sms_mcp_sends_total", { provider: "telnyx", outcome });
    expect(sends("sent")).toBe(2);
    expect(sends("duplicate")).toBe(1);
    expect(sends("refused")).toBe(2);
    expect(sends("failed")).toBe(0);
    const refusedFor = (category: string) =>
      value(samples, "sms_mcp_send_errors_total", { outcome: "refused", category });
    expect(refusedFor("not_allowed")).toBe(1);
    expect(refusedFor("invalid_recipient") + refusedFor("invalid_input")).toBe(1);
    // Guardrail refusals by the setting that refused: the deny list; bad input is no guardrail.
    const byRule = samples.filter((s) => s.name === "sms_mcp_guardrail_refusals_total");
    expect(byRule.map((s) => [s.labels.rule, s.value])).toEqual([["denyList", 1]]);
    expect(
      value(samples, "sms_mcp_provider_call_seconds_count", { provider: "telnyx", result: "ok" }),
    ).toBe(2);
    expect(sim.requests()).toHaveLength(2);
    // Three claims reached the ledger (two new texts, one duplicate); two were settled.
    expect(value(samples, "sms_mcp_ledger_seconds_count", { step: "claim" })).toBe(3);
    expect(value(samples, "sms_mcp_ledger_seconds_count", { step: "settle" })).toBe(2);
    // Each client ended its session.
    expect(value(samples, "sms_mcp_sessions_open", {})).toBe(0);
    // Every connection label is the connection's id, from the config: nothing a caller wrote.
    const connections = new Set(
      samples.flatMap((s) => (s.labels.connection === undefined ? [] : [s.labels.connection])),
    );
    expect([...connections]).toEqual([expect.stringMatching(/^env-telnyx-[0-9a-f]{12}$/)]);
  });

  it("sessions_open follows a host's session", async () => {
    const host = await connect(server.url);
    expect(value(await scrape(server.url), "sms_mcp_sessions_open", {})).toBe(1);
    await host.close();
    expect(value(await scrape(server.url), "sms_mcp_sessions_open", {})).toBe(0);
  });

  it("holds no number, body or secret", async () => {
    const text = await (
      await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).text();
    for (const planted of [
      "5551234567",
      "5557654321",
      "8842",
      "Planted",
      "not a number",
      TOKEN,
      sim.accounts.telnyx.apiKey,
    ]) {
      expect(text).not.toContain(planted);
    }
  });

  it("is behind the MCP auth on the main port, and open on the loopback metrics port", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { Authorization: "Bearer wrong" } })).status,
    ).toBe(401);
    const open = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(open.status).toBe(200);
    expect(
      value(parseExposition(await open.text()), "sms_mcp_sends_total", { outcome: "sent" }),
    ).toBe(2);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/mcp`)).status).toBe(404);
    // A page on a rebound name reaches the loopback port with its own Host: refused.
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: metricsPort,
          path: "/metrics",
          headers: { host: "evil.example" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(rebound).toBe(403);
  });
});

it("--metrics-public serves /metrics without auth", async () => {
  const server = await startHttpCli({ ...providerEnv(sim, "telnyx"), SMS_MCP_AUTH_TOKEN: TOKEN }, [
    "--metrics-public",
  ]);
  try {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(parseExposition(await response.text()).length).toBeGreaterThan(0);
    // The MCP endpoint itself still needs the token.
    expect((await fetch(`${server.url}/mcp`, { method: "POST" })).status).toBe(401);
  } finally {
    await server.stop();
  }
});

it("counts confirmations by how they ended", async () => {
  const server = await startHttpCli({
    ...providerEnv(sim, "telnyx"),
    SMS_MCP_AUTH_TOKEN: TOKEN,
    SMS_MCP_CONFIRM: "ask",
  });
  try {
    // A client without forms: a read-back, then the identical call sends on it.
    await callTool(server.url, { to_: TO, message: "Table ready." });
    await callTool(server.url, { to_: TO, message: "Table ready." });
    const samples = await scrape(server.url);
    const confirmations = (result: string) =>
      value(samples, "sms_mcp_confirmations_total", { result });
    expect(confirmations("cannot_ask")).toBe(1);
    expect(confirmations("read-back")).toBe(1);
    expect(value(samples, "sms_mcp_sends_total", { outcome: "sent" })).toBe(1);
  } finally {
    await server.stop();
  }
});

const redis = redisStatus();
it.skipIf(!redis.available)("sms_mcp_redis_up follows Redis", async () => {
  const store = await startRedis();
  const server = await startHttpCli({
    ...providerEnv(sim, "telnyx"),
    SMS_MCP_AUTH_TOKEN: TOKEN,
    SMS_MCP_REDIS_URL: store.url,
  });
  try {
    expect(value(await scrape(server.url), "sms_mcp_redis_up", {})).toBe(1);
    await store.stop();
    await expect
      .poll(async () => value(await scrape(server.url), "sms_mcp_redis_up", {}), {
        timeout: 10_000,
      })
      .toBe(0);
  } finally {
    await server.stop();
    await store.stop();
  }
});
