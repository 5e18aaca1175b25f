import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeytarSecretStore } from "../../src/config/secretStore.js";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { keychainStatus } from "../helpers/keychain.js";
import { startStdioServer, texts } from "../helpers/stdioServer.js";

const status = await keychainStatus();

/** Per provider: the connect flags, the planted secret the simulator accepts, and two numbers. */
const PLANTED = {
  twilio: `planted-twilio-${Date.now()}`,
  plivo: `planted-plivo-${Date.now()}`,
  telnyx: `KEYplanted-telnyx-${Date.now()}`,
};

const idFlags = {
  twilio: ["--account-sid", SIMULATOR_ACCOUNTS.twilio.accountSid],
  plivo: ["--auth-id", SIMULATOR_ACCOUNTS.plivo.authId],
  telnyx: [],
} as const;

describe.skipIf(!status.available)(
  `the connections CLI${status.available ? "" : ` (skipped: ${status.reason})`}`,
  () => {
    let sim: Simulator;
    let dir: string;
    let env: Record<string, string>;
    const outputs: string[] = [];
    const cli = async (args: string[], input = "") => {
      const run = await runCli(args, env, input);
      outputs.push(run.stdout, run.stderr);
      return run;
    };

    beforeAll(async () => {
      sim = await startSimulator({
        accounts: {
          twilio: { ...SIMULATOR_ACCOUNTS.twilio, authToken: PLANTED.twilio },
          plivo: { ...SIMULATOR_ACCOUNTS.plivo, authToken: PLANTED.plivo },
          telnyx: { ...SIMULATOR_ACCOUNTS.telnyx, apiKey: PLANTED.telnyx },
        },
      });
      dir = await mkdtemp(join(tmpdir(), "sms-mcp-cli-"));
      env = { SMS_MCP_CONFIG: join(dir, "config.json") };
    });

    afterAll(async () => {
      await sim?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it.each(["twilio", "plivo", "telnyx"] as const)(
      "%s: connect → connections → check → numbers → send → serve → rotate → disconnect",
      async (provider) => {
        const label = `${provider} - Sales`;
        const [first, second = first] = sim.accounts[provider].numbers;
        const base = [
          "connect",
          provider,
          "--label",
          label,
          ...idFlags[provider],
          "--api-base-url",
          sim.url,
        ];

        const ambiguous = await cli(base, `${PLANTED[provider]}\n`);
        expect(ambiguous.code).toBe(2);
        expect(ambiguous.stderr).toMatch(
          /--default-from is required: the account has 2 SMS-capable numbers/,
        );

        const connect = await cli([...base, "--default-from", first], `${PLANTED[provider]}\n`);
        expect(connect.stderr).toBe("");
        expect(connect.code).toBe(0);
        expect(connect.stdout).toMatch(new RegExp(`Connected "${label}"`));

        const list = await cli(["connections", "--json"]);
        const entry = JSON.parse(list.stdout).connections.find(
          (c: { label: string }) => c.label === label,
        );
        expect(entry).toMatchObject({ provider, defaultFrom: first, secretInKeychain: true });

        const check = await cli(["check", label]);
        expect(check.code).toBe(0);
        expect(check.stdout).toMatch(/^ok: /);

        const numbers = await cli(["numbers", label, "--json"]);
        expect(JSON.parse(numbers.stdout)).toEqual([...sim.accounts[provider].numbers]);

        sim.clear();
        const send = await cli([
          "send",
          "--to",
          "+15551234567",
          "--message",
          "Table for two at 8.",
          "--connection",
          label,
        ]);
        expect(send.stdout).toMatch(/^SMS sent\.\nmessage \S+, 1 segment \(GSM-7\), from /);
        expect(send.code).toBe(0);
        expect(sim.requests()).toHaveLength(1);

        const server = await startStdioServer(env, ["--connection", label]);
        try {
          const result = await server.call({ to_: "+15551234567", message: "See you soon." });
          expect(texts(result)[0]).toBe("SMS sent.");
          expect(result.structuredContent).toMatchObject({ connection: label, from: first });
          outputs.push(server.stderr());
        } finally {
          await server.close();
        }

        const rotate = await cli([...base, "--default-from", second], `${PLANTED[provider]}\n`);
        expect(rotate.code).toBe(0);
        expect(rotate.stdout).toMatch(/^Updated/);
        const afterRotate = JSON.parse((await cli(["connections", "--json"])).stdout).connections;
        expect(afterRotate.filter((c: { label: string }) => c.label === label)).toHaveLength(1);

        const disconnect = await cli(["disconnect", label]);
        expect(disconnect.code).toBe(0);
        expect(await new KeytarSecretStore().get(entry.id)).toBeNull();
        const gone = JSON.parse((await cli(["connections", "--json"])).stdout).connections;
        expect(gone.find((c: { label: string }) => c.label === label)).toBeUndefined();
      },
    );

    it("refuses bad input with its exit code and changes nothing", async () => {
      const configFile = env.SMS_MCP_CONFIG as string;
      await cli(
        [
          "connect",
          "telnyx",
          "--label",
          "Keep",
          "--api-base-url",
          sim.url,
          "--default-from",
          sim.accounts.telnyx.numbers[0],
        ],
        `${PLANTED.telnyx}\n`,
      );
      const before = await readFile(configFile, "utf8");
      const cases: Array<{ args: string[]; input?: string; code: number; message: RegExp }> = [
        {
          args: ["connect", "nexmo", "--label", "X"],
          code: 2,
          message: /unknown provider "nexmo"/,
        },
        {
          args: ["connect", "twilio", "--label", "X", "--account-sid", "AC123"],
          input: "t\n",
          code: 2,
          message: /AC followed by 32 hex/,
        },
        {
          args: ["connect", "plivo", "--label", "X", "--auth-id", "nope"],
          input: "t\n",
          code: 2,
          message: /MA or SA/,
        },
        {
          args: ["connect", "telnyx", "--label", "X", "--api-base-url", sim.url],
          input: "KEYwrong\n",
          code: 1,
          message: /Telnyx rejected the API key/,
        },
        {
          args: ["connect", "twilio", "--label", "X", ...idFlags.twilio, "--api-base-url", sim.url],
          input: "wrong\n",
          code: 1,
          message: /Twilio rejected the Account SID \/ auth token/,
        },
        {
          args: [
            "connect",
            "telnyx",
            "--label",
            "X",
            "--api-base-url",
            sim.url,
            "--default-from",
            "+15559990000",
          ],
          input: `${PLANTED.telnyx}\n`,
          code: 1,
          message: /\+15559990000 is not an SMS-capable number on this account/,
        },
        { args: ["check", "nobody"], code: 1, message: /no connection named "nobody"/ },
        { args: ["disconnect", "nobody"], code: 1, message: /no connection named "nobody"/ },
        { args: ["frobnicate"], code: 2, message: /unknown command/ },
      ];
      for (const c of cases) {
        const run = await cli(c.args, c.input ?? "");
        expect(run.stderr, c.args.join(" ")).toMatch(c.message);
        expect(run.code, c.args.join(" ")).toBe(c.code);
        expect(run.stderr.trim().split("\n").length, "one line").toBeLessThanOrEqual(2);
        expect(await readFile(configFile, "utf8")).toBe(before);
      }
      const store = new KeytarSecretStore();
      for (const id of ["twilio-x", "plivo-x", "telnyx-x"]) expect(await store.get(id)).toBeNull();
      await cli(["disconnect", "Keep"]);
    });

    it("a corrupted config file is named in the error and left untouched", async () => {
      const configFile = env.SMS_MCP_CONFIG as string;
      await writeFile(configFile, "{ broken");
      for (const args of [["connections"], ["check"]]) {
        const run = await cli(args);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(configFile);
      }
      const connect = await cli(
        [
          "connect",
          "telnyx",
          "--label",
          "New",
          "--api-base-url",
          sim.url,
          "--default-from",
          sim.accounts.telnyx.numbers[0],
        ],
        `${PLANTED.telnyx}\n`,
      );
      expect(connect.code).toBe(1);
      expect(await readFile(configFile, "utf8")).toBe("{ broken");
      expect(await new KeytarSecretStore().get("telnyx-new")).toBeNull();
      await rm(configFile);
    });

    it("a config file that cannot be written leaves no secret behind in the keychain", async () => {
      // A 250-character file name reads as missing, but its temp file name (+17 characters) is
      // too long to create, even for root: the secret is stored first, then must be rolled back.
      const unwritable = { SMS_MCP_CONFIG: join(dir, "c".repeat(250)) };
      const run = await runCli(
        [
          "connect",
          "telnyx",
          "--label",
          "Nowhere",
          "--api-base-url",
          sim.url,
          "--default-from",
          sim.accounts.telnyx.numbers[0],
        ],
        { ...unwritable },
        `${PLANTED.telnyx}\n`,
      );
      outputs.push(run.stdout, run.stderr);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /cannot write the config file .*c{250} \(ENAMETOOLONG\); nothing was saved/,
      );
      expect(await new KeytarSecretStore().get("telnyx-nowhere")).toBeNull();
    });

    it("the planted secrets appear nowhere but the keychain", async () => {
      const everything = outputs.join("\n");
      const configText = await readFile(env.SMS_MCP_CONFIG as string, "utf8").catch(() => "");
      for (const secret of Object.values(PLANTED)) {
        expect(everything).not.toContain(secret);
        expect(configText).not.toContain(secret);
      }
    });
  },
);

describe("CLI manners", () => {
  it("log | head: a reader that stops early is a quiet exit 0, no stack", async () => {
    const { spawn } = await import("node:child_process");
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { CLI_PATH } = await import("../helpers/stdioServer.js");
    const { cleanEnv } = await import("../helpers/simulatorEnv.js");
    const dir = await mkdtemp(join(tmpdir(), "sms-mcp-pipe-"));
    try {
      const file = join(dir, "audit.log");
      const record = (i: number) =>
        JSON.stringify({
          time: new Date().toISOString(),
          connection: "c",
          provider: "twilio",
          to: `+1555123${String(i).padStart(4, "0")}`,
          from: "+15550100001",
          segments: 1,
          encoding: "GSM-7",
          outcome: "sent",
          errorCategory: null,
          messageId: null,
          bodySha256: null,
        });
      await writeFile(file, `${Array.from({ length: 20_000 }, (_, i) => record(i)).join("\n")}\n`);
      const child = spawn(process.execPath, [CLI_PATH, "log", "--file", file, "--json"], {
        env: cleanEnv(),
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // Read one chunk, then close the pipe, as `head -1` does.
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(code).toBe(0);
      expect(stderr).toBe("");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("provider names in any case; --since 1w; a --file that does not exist is an error", async () => {
    const { runCli } = await import("../helpers/cli.js");
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "sms-mcp-manners-"));
    try {
      const connect = await runCli(
        [
          "connect",
          "Telnyx",
          "--label",
          "Any case",
          "--no-verify",
          "--default-from",
          "+15550300001",
        ],
        {
          SMS_MCP_CONFIG: join(dir, "config.json"),
          DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent",
        },
        "KEYabc\n",
      );
      expect(connect.stderr).not.toMatch(/unknown provider/);
      const week = await runCli(["log", "--since", "1w", "--file", join(dir, "none.log")], {});
      expect(week.code).toBe(1);
      expect(week.stderr).toMatch(/--file .* does not exist/);
      const bad = await runCli(["log", "--since", "1y"], {});
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/30m, 1h, 7d or 1w/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
