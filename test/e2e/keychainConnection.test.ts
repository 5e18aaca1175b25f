import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, saveConfig } from "../../src/config/configFile.js";
import { KeytarSecretStore } from "../../src/config/secretStore.js";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { keychainStatus } from "../helpers/keychain.js";
import { startStdioServer, texts } from "../helpers/stdioServer.js";

const status = await keychainStatus();
const inCi = process.env.CI === "true";

if (!status.available && inCi) {
  describe("OS keychain", () => {
    it("must answer in CI (run the suite inside dbus-run-session with gnome-keyring unlocked)", () => {
      throw new Error(`no keychain: ${status.reason}`);
    });
  });
}

describe.skipIf(!status.available)(
  `a keychain-backed connection${status.available ? "" : ` (skipped: ${status.reason})`}`,
  () => {
    const planted = `planted-twilio-token-${Date.now()}-c0ffee`;
    const connectionId = `test-twilio-${process.pid}`;
    const store = new KeytarSecretStore();
    let sim: Simulator;
    let dir: string;
    let configFile: string;

    beforeAll(async () => {
      sim = await startSimulator({
        accounts: {
          ...SIMULATOR_ACCOUNTS,
          twilio: { ...SIMULATOR_ACCOUNTS.twilio, authToken: planted },
        },
      });
      dir = await mkdtemp(join(tmpdir(), "sms-mcp-keychain-"));
      configFile = join(dir, "config.json");
      await saveConfig(configFile, {
        version: 1,
        connections: [
          {
            id: connectionId,
            label: "Twilio - Sales",
            provider: "twilio",
            accountSid: SIMULATOR_ACCOUNTS.twilio.accountSid,
            defaultFrom: SIMULATOR_ACCOUNTS.twilio.numbers[0],
            apiBaseUrl: sim.url,
          },
          {
            id: `${connectionId}-nosecret`,
            label: "Twilio - Support",
            provider: "twilio",
            accountSid: SIMULATOR_ACCOUNTS.twilio.accountSid,
            defaultFrom: SIMULATOR_ACCOUNTS.twilio.numbers[1],
            apiBaseUrl: sim.url,
          },
        ],
      });
      await store.set(connectionId, planted);
    });

    afterAll(async () => {
      await store.delete(connectionId).catch(() => false);
      await sim?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("stores, reads back and deletes a secret in the real keychain", async () => {
      const id = `${connectionId}-roundtrip`;
      await store.set(id, "s3cret value with spaces");
      expect(await store.get(id)).toBe("s3cret value with spaces");
      expect(await store.delete(id)).toBe(true);
      expect(await store.get(id)).toBeNull();
    });

    it("serve --connection <label> sends with the keychain's secret; it appears nowhere else", async () => {
      const server = await startStdioServer({ SMS_MCP_CONFIG: configFile }, [
        "--connection",
        "twilio - sales",
      ]);
      try {
        const result = await server.call({ to_: "+15551234567", message: "Your table is ready." });
        expect(texts(result)[0]).toBe("SMS sent.");
        expect(result.structuredContent).toMatchObject({ connection: "Twilio - Sales" });
        const [request] = sim.requests();
        const expectedAuth = `Basic ${Buffer.from(`${SIMULATOR_ACCOUNTS.twilio.accountSid}:${planted}`).toString("base64")}`;
        expect(request?.headers.authorization).toBe(expectedAuth);

        const configText = await readFile(configFile, "utf8");
        expect(configText).not.toContain(planted);
        expect((await stat(configFile)).mode & 0o777).toBe(0o600);
        expect(server.stderr()).not.toContain(planted);
        expect(JSON.stringify(result)).not.toContain(planted);
      } finally {
        await server.close();
      }
    });

    it("a connection whose secret is missing explains how to fix it, and sends nothing", async () => {
      sim.clear();
      const server = await startStdioServer({ SMS_MCP_CONFIG: configFile }, [
        "--connection",
        `${connectionId}-nosecret`,
      ]);
      try {
        const result = await server.call({ to_: "+15551234567", message: "Hello" });
        expect(texts(result)[0]).toBe("SMS couldn't be sent");
        expect(texts(result)[1]).toMatch(
          /no secret for connection "Twilio - Support".*sms-mcp connect/,
        );
        expect(result.structuredContent?.error).toMatchObject({ category: "configuration" });
        expect(sim.requests()).toHaveLength(0);
      } finally {
        await server.close();
      }
    });

    it("five connects at the same moment all end up in the config, each with its secret", async () => {
      const shared = join(dir, "parallel", "config.json");
      const labels = Array.from({ length: 5 }, (_, i) => `Parallel ${process.pid} ${i}`);
      const runs = await Promise.all(
        labels.map((label, i) =>
          runCli(
            [
              "connect",
              "telnyx",
              "--label",
              label,
              "--no-verify",
              "--default-from",
              "+15550300001",
            ],
            { SMS_MCP_CONFIG: shared },
            `KEYparallel-${i}\n`,
          ),
        ),
      );
      const config = await loadConfig(shared);
      try {
        expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
        expect(config.connections.map((c) => c.label).sort()).toEqual([...labels].sort());
        for (const connection of config.connections) {
          const i = labels.indexOf(connection.label);
          expect(await store.get(connection.id)).toBe(`KEYparallel-${i}`);
        }
      } finally {
        for (const connection of config.connections) await store.delete(connection.id);
      }
    });
  },
);
