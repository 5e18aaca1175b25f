import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveConfig } from "../../src/config/configFile.js";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { startStdioServer, texts } from "../helpers/stdioServer.js";

/** A session bus that does not exist, and no display to autolaunch one: no keychain answers. */
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/bus", DISPLAY: "" };

describe("when no keychain answers", () => {
  let sim: Simulator;
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    sim = await startSimulator();
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-nokeychain-"));
    configFile = join(dir, "config.json");
    await saveConfig(configFile, {
      version: 1,
      connections: [
        {
          id: "twilio-main",
          label: "Twilio",
          provider: "twilio",
          accountSid: SIMULATOR_ACCOUNTS.twilio.accountSid,
          defaultFrom: SIMULATOR_ACCOUNTS.twilio.numbers[0],
          apiBaseUrl: sim.url,
        },
      ],
    });
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a keychain connection answers with what to install or start, and sends nothing", async () => {
    const server = await startStdioServer({ ...NO_KEYCHAIN, SMS_MCP_CONFIG: configFile });
    try {
      const result = await server.call({ to_: "+15551234567", message: "Hello" });
      expect(texts(result)[0]).toBe("SMS couldn't be sent");
      expect(texts(result)[1]).toMatch(/keychain is not available.*Secret Service.*env mode/);
      expect(result.structuredContent?.error).toMatchObject({
        category: "configuration",
        retryable: false,
      });
      expect(sim.requests()).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it("env mode keeps working", async () => {
    const server = await startStdioServer({ ...NO_KEYCHAIN, ...providerEnv(sim, "plivo") });
    try {
      expect(texts(await server.call({ to_: "+15551234567", message: "Hello" }))[0]).toBe(
        "SMS sent.",
      );
    } finally {
      await server.close();
    }
  });
});
