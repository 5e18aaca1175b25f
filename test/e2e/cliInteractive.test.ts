import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeytarSecretStore } from "../../src/config/secretStore.js";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
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
          // One number and a Powerpack: a person is still offered the choice.
          plivo: { ...SIMULATOR_ACCOUNTS.plivo, numbers: ["+15550200001"] },
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
    it("offers a Telnyx account's messaging profiles, and keeps the one picked with the number", async () => {
      const configFile = join(dir, "telnyx-config.json");
      const session = runCliOnPty(["connect", "telnyx", "--api-base-url", sim.url], {
        SMS_MCP_CONFIG: configFile,
      });
      await session.waitFor("Connection label");
      session.type("Telnyx - Alerts\r");
      await session.waitFor("API key (hidden)");
      session.type(`${SIMULATOR_ACCOUNTS.telnyx.apiKey}\r`);
      const [profile] = SIMULATOR_ACCOUNTS.telnyx.messagingProfiles;
      await session.waitFor(`${profile} (messaging profile`);
      session.type(`${DOWN}\r`);
      await session.waitFor("Default sender");
      session.type("\r");
      expect(await session.exit).toBe(0);
      const config = JSON.parse(await readFile(configFile, "utf8"));
      expect(config.connections[0]).toMatchObject({
        label: "Telnyx - Alerts",
        defaultFrom: SIMULATOR_ACCOUNTS.telnyx.numbers[0],
        messagingProfileId: profile,
      });
      expect(JSON.stringify(config)).not.toContain(SIMULATOR_ACCOUNTS.telnyx.apiKey);
      const listed = await runCli(["connections"], { SMS_MCP_CONFIG: configFile });
      expect(listed.stdout).toContain(`through messaging profile ${profile}`);
      await new KeytarSecretStore().delete(config.connections[0].id);
    });
    it("offers a Powerpack beside an account's only number; a script still gets the number", async () => {
      const { authId, authToken, powerpacks } = SIMULATOR_ACCOUNTS.plivo;
      const args = ["connect", "plivo", "--auth-id", authId, "--api-base-url", sim.url];
      const onTerminal = join(dir, "plivo-terminal.json");
      const session = runCliOnPty([...args, "--label", "Plivo - Clinic"], {
        SMS_MCP_CONFIG: onTerminal,
      });
      await session.waitFor("auth token (hidden)");
      session.type(`${authToken}\r`);
      await session.waitFor(`${powerpacks[0]} (Powerpack`);
      session.type(`${DOWN}\r`);
      expect(await session.exit).toBe(0);
      const picked = JSON.parse(await readFile(onTerminal, "utf8")).connections[0];
      expect(picked.defaultFrom).toBe(powerpacks[0]);

      const scripted = join(dir, "plivo-script.json");
      const run = await runCli(
        [...args, "--label", "Plivo - Script"],
        { SMS_MCP_CONFIG: scripted },
        `${authToken}\n`,
      );
      expect(run.code, run.stderr).toBe(0);
      const kept = JSON.parse(await readFile(scripted, "utf8")).connections[0];
      expect(kept.defaultFrom).toBe("+15550200001");
      const store = new KeytarSecretStore();
      await store.delete(picked.id);
      await store.delete(kept.id);
    });
  },
);
