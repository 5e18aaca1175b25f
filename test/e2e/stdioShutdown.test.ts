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
    expect(texts(await inFlight)).toEqual(["SMS sent."]);
    expect(sim.requests()).toHaveLength(1);
    await server.close();
  });
});
