import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunningHttpServer } from "../../src/server/http/httpServer.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { type InProcessHttp, startInProcessHttp } from "../helpers/inProcessHttp.js";

const SESSIONS = 100;
const SENDS_PER_SESSION = 20;

describe("a bounded load test on loopback", () => {
  let sim: Simulator;
  let http: InProcessHttp;
  let server: RunningHttpServer;

  beforeAll(async () => {
    sim = await startSimulator();
    http = await startInProcessHttp(
      sim,
      {},
      {
        SMS_MCP_RATE_PER_RECIPIENT: "100000/1h",
        SMS_MCP_RATE_PER_CONNECTION: "100000/24h",
        SMS_MCP_TIMEOUT_MS: "10000",
      },
    );
    server = http.server;
  });

  afterAll(async () => {
    await http?.close();
    await sim?.close();
  });

  it(`${SESSIONS} concurrent sessions × ${SENDS_PER_SESSION} sends, half Streamable HTTP and half SSE`, async () => {
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, n) => {
        const transport =
          n % 2 === 0
            ? new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`))
            : new SSEClientTransport(new URL(`${server.url}/sse`));
        const client = new Client({ name: `load-${n}`, version: "0" });
        await client.connect(transport);
        return { client, transport };
      }),
    );
    expect(server.sessionCount()).toBe(SESSIONS);

    const answers = await Promise.all(
      sessions.map(async ({ client }, n) => {
        const texts: string[] = [];
        for (let i = 0; i < SENDS_PER_SESSION; i++) {
          const result = (await client.callTool({
            name: "send_sms",
            arguments: { to_: `+1555${String(n).padStart(7, "0")}`, message: `load ${n}/${i}` },
          })) as CallToolResult;
          texts.push(result.content[0]?.type === "text" ? result.content[0].text : "");
        }
        return texts;
      }),
    );
    const flat = answers.flat();
    expect(flat).toHaveLength(SESSIONS * SENDS_PER_SESSION);
    expect(flat.filter((t) => t === "SMS sent.")).toHaveLength(SESSIONS * SENDS_PER_SESSION);
    expect(sim.requests()).toHaveLength(SESSIONS * SENDS_PER_SESSION);

    for (const { client, transport } of sessions) {
      if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession();
      await client.close();
    }
    // SSE sessions end when the server sees their stream close: await that, no fixed sleep.
    await vi.waitFor(() => expect(server.sessionCount()).toBe(0), { timeout: 5000, interval: 20 });
  });
});
