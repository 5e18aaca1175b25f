// sms-mcp speaks MCP 2026-07-28 beside the legacy revisions (DESIGN §15): the clients a host
// may be built on, over each transport, each land on the era they should and send one text.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { type ClientKind, connectClient, type TransportKind } from "../helpers/mcpClients.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const CASES: Array<[ClientKind, TransportKind, "modern" | "legacy"]> = [
  ["v2 auto", "stdio", "modern"],
  ["v2 auto", "streamable-http", "modern"],
  // HTTP+SSE is the 2024-11-05 transport: a probing client falls back to the legacy era.
  ["v2 auto", "sse", "legacy"],
  ["v2 legacy", "stdio", "legacy"],
  ["v2 legacy", "streamable-http", "legacy"],
  ["v2 legacy", "sse", "legacy"],
  ["v1", "stdio", "legacy"],
  ["v1", "streamable-http", "legacy"],
  ["v1", "sse", "legacy"],
];

describe("every protocol era, every transport, every client", () => {
  let sim: Simulator;
  let http: HttpCli;
  beforeAll(async () => {
    sim = await startSimulator();
    http = await startHttpCli(providerEnv(sim, "twilio"));
  });
  afterAll(async () => {
    await http?.stop();
    await sim?.close();
  });

  it.each(CASES.map((c, n) => [...c, n] as const))(
    "%s over %s speaks the %s era and sends one text",
    async (kind, transport, era, n) => {
      const client = await connectClient(kind, transport, {
        env: providerEnv(sim, "twilio"),
        url: http.url,
      });
      try {
        expect(client.era).toBe(era);
        if (kind !== "v1") {
          expect(client.protocolVersion).toBe(era === "modern" ? "2026-07-28" : "2025-11-25");
        }
        expect(await client.listToolNames()).toEqual(["send_sms"]);
        const to = `+1555010${String(n).padStart(4, "0")}`;
        const before = sim.requests().length;
        const result = await client.send({ to_: to, message: `Era ${era} via ${transport}` });
        expect(result.texts[0]).toBe("SMS sent.");
        expect(result.isError).toBe(false);
        expect(result.structured).toMatchObject({ status: "sent", to });
        const sent = sim.requests().slice(before);
        expect(sent).toHaveLength(1);
        expect(sent[0]?.body).toMatchObject({ To: to, Body: `Era ${era} via ${transport}` });
      } finally {
        await client.close();
      }
    },
  );
});

describe("a 2026-07-28 client needs no sticky sessions", () => {
  let sim: Simulator;
  let replicas: HttpCli[];
  let stateDir: string;
  beforeAll(async () => {
    sim = await startSimulator();
    stateDir = await mkdtemp(join(tmpdir(), "sms-mcp-replicas-"));
    // Two replicas of one deployment: the same connection and the same ledger.
    const env = { ...providerEnv(sim, "twilio"), SMS_MCP_STATE_DIR: stateDir };
    replicas = await Promise.all([startHttpCli(env), startHttpCli(env)]);
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.stop()));
    await sim?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it("every request may land on another replica: each answers, and an identical call is still recognized", async () => {
    // A load balancer that sends each request to the next replica in turn.
    let next = 0;
    const seen: string[] = [];
    const roundRobin: typeof fetch = (input, init) => {
      const replica = replicas[next++ % replicas.length] as HttpCli;
      const url = new URL(input instanceof Request ? input.url : String(input));
      seen.push(replica.url);
      return fetch(`${replica.url}${url.pathname}`, init);
    };
    const client = new Client(
      { name: "behind-a-load-balancer", version: "0" },
      { versionNegotiation: { mode: "auto" } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL("http://load-balancer.invalid/mcp"), {
        fetch: roundRobin,
      }),
    );
    expect(client.getProtocolEra()).toBe("modern");
    const args = { to_: "+15550109999", message: "Your table for two is booked for 7pm." };
    const first = await client.callTool({ name: "send_sms", arguments: args });
    const again = await client.callTool({ name: "send_sms", arguments: args });
    await client.close();

    expect(new Set(seen).size).toBe(2);
    expect(first.content[0]).toMatchObject({ text: "SMS sent." });
    // The second replica knew of the first one's send (the shared ledger): not sent twice.
    expect(again.structuredContent).toMatchObject({ status: "duplicate" });
    expect(sim.requests()).toHaveLength(1);
  });
});
