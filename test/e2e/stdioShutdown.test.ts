import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { startStdioServer, texts } from "../helpers/stdioServer.js";

describe("serve over stdio, shutting down", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim?.close());

  it("SIGTERM during a send lets it finish and answer before the process exits", async () => {
    const server = await startStdioServer(providerEnv(sim, "telnyx"));
    const pid = (server.client.transport as StdioClientTransport).pid;
    expect(pid).toEqual(expect.any(Number));
    const inFlight = server.call({ to_: "+15005550007", message: "slow provider, host quitting" });
    await sim.waitForRequests(1);
    process.kill(pid as number, "SIGTERM");
    expect(texts(await inFlight)[0]).toBe("SMS sent.");
    expect(sim.requests()).toHaveLength(1);
    await server.close();
  });

  it("SIGTERM drains for as long as a send can take: one that times out after 11 s still answers", async () => {
    // Longer than the old fixed 10 s drain: the drain follows the provider timeout.
    const server = await startStdioServer({
      ...providerEnv(sim, "telnyx"),
      SMS_MCP_TIMEOUT_MS: "11000",
    });
    const pid = (server.client.transport as StdioClientTransport).pid as number;
    sim.clear();
    const inFlight = server.call({ to_: "+15005550006", message: "a provider that never answers" });
    await sim.waitForRequests(1);
    process.kill(pid, "SIGTERM");
    const result = await inFlight;
    expect(texts(result)[0]).toBe("SMS couldn't be sent");
    expect(result.structuredContent?.error).toMatchObject({ category: "provider_unavailable" });
    await server.close();
  });
});
