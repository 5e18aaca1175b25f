import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeytarSecretStore } from "../../src/config/secretStore.js";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { keychainStatus } from "../helpers/keychain.js";
import { runCliOnPty } from "../helpers/pty.js";

const status = await keychainStatus();
const DOWN = "\u001b[B";

describe.skipIf(!status.available)(
  `connect on a terminal${status.available ? "" : ` (skipped: ${status.reason})`}`,
  () => {
    const planted = `planted-pty-token-${Date.now()}`;
    let sim: Simulator;
    let dir: string;

    beforeAll(async () => {
      sim = await startSimulator({
        accounts: {
          ...SIMULATOR_ACCOUNTS,
          twilio: { ...SIMULATOR_ACCOUNTS.twilio, authToken: planted },
        },
      });
      dir = await mkdtemp(join(tmpdir(), "sms-mcp-pty-"));
    });
    afterAll(async () => {
      await sim?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("prompts for the label, hides the secret, and lets the person pick the default number", async () => {
      const configFile = join(dir, "config.json");
      const session = runCliOnPty(
        [
          "connect",
          "twilio",
          "--account-sid",
          SIMULATOR_ACCOUNTS.twilio.accountSid,
          "--api-base-url",
          sim.url,
        ],
        { SMS_MCP_CONFIG: configFile },
      );
      await session.waitFor("Connection label");
      session.type("Twilio - Front desk\r");
      await session.waitFor("auth token (hidden)");
      session.type(`${planted}\r`);
      await session.waitFor("Default sender");
      // The account's Messaging Service is offered beside its numbers.
      await session.waitFor(`${SIMULATOR_ACCOUNTS.twilio.messagingServices[0]} (Messaging Service`);
      session.type(`${DOWN}\r`);
      expect(await session.exit).toBe(0);

      expect(session.output()).toContain('Connected "Twilio - Front desk"');
      expect(session.output()).not.toContain(planted);
      const config = JSON.parse(await readFile(configFile, "utf8"));
      expect(config.connections[0]).toMatchObject({
        label: "Twilio - Front desk",
        defaultFrom: SIMULATOR_ACCOUNTS.twilio.numbers[1],
      });
      expect(JSON.stringify(config)).not.toContain(planted);
      const store = new KeytarSecretStore();
      expect(await store.get(config.connections[0].id)).toBe(planted);
      await store.delete(config.connections[0].id);
    });
  },
);
