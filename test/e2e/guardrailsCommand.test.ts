// `sms-mcp guardrails <connection>`: the effective settings with their sources, and set/unset
// writing the config file through the same schemas; then a send honouring what was set.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { keychainStatus } from "../helpers/keychain.js";

const keychain = await keychainStatus();

interface Row {
  field: string;
  value: unknown;
  source: string;
}

describe("sms-mcp guardrails", () => {
  let dir: string;
  let config: string;
  const shown = async (env: Record<string, string> = {}) => {
    const run = await runCli(["guardrails", "Sales", "--json"], { SMS_MCP_CONFIG: config, ...env });
    expect(run.code, run.stderr).toBe(0);
    const rows = (JSON.parse(run.stdout) as { guardrails: Row[] }).guardrails;
    return Object.fromEntries(rows.map((r) => [r.field, r]));
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-guardrails-"));
    config = join(dir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        connections: [
          {
            id: "sales",
            label: "Sales",
            provider: "twilio",
            accountSid: `AC${"1".repeat(32)}`,
            defaultFrom: "+15550100001",
            guardrails: { maxSegments: 3 },
          },
        ],
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("shows each setting's value and where it comes from: default, config, environment", async () => {
    const rows = await shown({ SMS_MCP_DUPLICATE_WINDOW_SECONDS: "60" });
    expect(rows.perRecipient).toEqual({
      field: "perRecipient",
      value: { limit: 5, windowSeconds: 3600 },
      source: "default",
      variable: "SMS_MCP_RATE_PER_RECIPIENT",
    });
    expect(rows.maxSegments).toMatchObject({ value: 3, source: "config" });
    expect(rows.duplicateWindowSeconds).toMatchObject({ value: 60, source: "environment" });
    const table = await runCli(["guardrails", "Sales"], { SMS_MCP_CONFIG: config });
    expect(table.stdout).toMatch(/perRecipient +5\/3600s +default/);
  });

  it("set writes the field as its variable is written, checked by the same schema; unset removes it", async () => {
    const set = await runCli(["guardrails", "Sales", "set", "perRecipient", "2/1h"], {
      SMS_MCP_CONFIG: config,
    });
    expect(set.code, set.stderr).toBe(0);
    expect((await shown()).perRecipient).toMatchObject({
      value: { limit: 2, windowSeconds: 3600 },
      source: "config",
    });
    const file = JSON.parse(await readFile(config, "utf8"));
    expect(file.connections[0].guardrails).toEqual({
      maxSegments: 3,
      perRecipient: { limit: 2, windowSeconds: 3600 },
    });
    const unset = await runCli(["guardrails", "Sales", "unset", "maxSegments"], {
      SMS_MCP_CONFIG: config,
    });
    expect(unset.code).toBe(0);
    expect((await shown()).maxSegments).toMatchObject({ value: 10, source: "default" });
  });

  it("the content rules are set as their variables are written: a templates file, hosts, a window", async () => {
    const templates = join(dir, "templates.json");
    await writeFile(templates, JSON.stringify([{ name: "code", text: "Code {c:digits}." }]));
    for (const [field, value] of [
      ["templates", templates],
      ["templatesOnly", "yes"],
      ["allowedLinkDomains", "Pay.Example.COM"],
      ["quietHours", "21:30-07:45"],
    ]) {
      const set = await runCli(["guardrails", "Sales", "set", field as string, value as string], {
        SMS_MCP_CONFIG: config,
      });
      expect(set.code, set.stderr).toBe(0);
    }
    const file = JSON.parse(await readFile(config, "utf8"));
    expect(file.connections[0].guardrails).toMatchObject({
      templates: [{ name: "code", text: "Code {c:digits}." }],
      templatesOnly: true,
      allowedLinkDomains: ["pay.example.com"],
      quietHours: { start: "21:30", end: "07:45" },
    });
    const table = await runCli(["guardrails", "Sales"], { SMS_MCP_CONFIG: config });
    expect(table.stdout).toMatch(/templates +code +config/);
    expect(table.stdout).toMatch(/quietHours +21:30-07:45 +config/);
    // Taking the templates away while templatesOnly is on would leave a connection that
    // cannot start: refused, and the file is as it was.
    const before = await readFile(config, "utf8");
    const stranded = await runCli(["guardrails", "Sales", "unset", "templates"], {
      SMS_MCP_CONFIG: config,
    });
    expect(stranded.code).not.toBe(0);
    expect(stranded.stderr).toMatch(/templatesOnly is on .*no templates/);
    expect(await readFile(config, "utf8")).toBe(before);
    for (const field of ["templatesOnly", "templates", "allowedLinkDomains", "quietHours"]) {
      const unset = await runCli(["guardrails", "Sales", "unset", field], {
        SMS_MCP_CONFIG: config,
      });
      expect(unset.code, unset.stderr).toBe(0);
    }
  });

  it("templatesOnly on a connection without templates is refused before anything is written", async () => {
    const before = await readFile(config, "utf8");
    const set = await runCli(["guardrails", "Sales", "set", "templatesOnly", "true"], {
      SMS_MCP_CONFIG: config,
    });
    expect(set.code).not.toBe(0);
    expect(set.stderr).toMatch(/templatesOnly is on .*no templates/);
    expect(await readFile(config, "utf8")).toBe(before);
    // With templates from this environment's file, as serve would combine them, it is fine.
    const templates = join(dir, "env-templates.json");
    await writeFile(templates, JSON.stringify([{ name: "code", text: "Code {c:digits}." }]));
    const withFile = await runCli(["guardrails", "Sales", "set", "templatesOnly", "true"], {
      SMS_MCP_CONFIG: config,
      SMS_MCP_TEMPLATES_FILE: templates,
    });
    expect(withFile.code, withFile.stderr).toBe(0);
    await runCli(["guardrails", "Sales", "unset", "templatesOnly"], { SMS_MCP_CONFIG: config });
  });

  it("confirm is one of its words, and its two timers are seconds", async () => {
    for (const [field, value] of [
      ["confirm", "Ask"],
      ["confirmTimeoutSeconds", "45"],
      ["confirmWindowSeconds", "600"],
    ]) {
      const set = await runCli(["guardrails", "Sales", "set", field as string, value as string], {
        SMS_MCP_CONFIG: config,
      });
      expect(set.code, set.stderr).toBe(0);
    }
    const file = JSON.parse(await readFile(config, "utf8"));
    expect(file.connections[0].guardrails).toMatchObject({
      confirm: "ask",
      confirmTimeoutSeconds: 45,
      confirmWindowSeconds: 600,
    });
    const table = await runCli(["guardrails", "Sales"], { SMS_MCP_CONFIG: config });
    expect(table.stdout).toMatch(/confirm +ask +config/);
    for (const field of ["confirm", "confirmTimeoutSeconds", "confirmWindowSeconds"]) {
      await runCli(["guardrails", "Sales", "unset", field], { SMS_MCP_CONFIG: config });
    }
  });

  it.each([
    [["set", "confirm", "maybe"], 1, /confirm must be off, ask or human/],
    [["set", "quietHours", "9pm-7am"], 1, /quietHours must be a daily window/],
    [["set", "allowedLinkDomains", "https://x.com/"], 1, /allowedLinkDomains.*is not a host name/],
    [["set", "perRecipient", "lots"], 1, /perRecipient must be a count per window/],
    [["set", "maxSegments", "0"], 1, /maxSegments must be a whole number of at least 1/],
    [["set", "noSuchField", "1"], 2, /unknown guardrail "noSuchField"/],
    [["set", "maxSegments"], 2, /needs a value/],
    [["frobnicate"], 2, /unknown action/],
  ])("%j is refused (exit %i) and the config is left as it was", async (args, code, says) => {
    const before = await readFile(config, "utf8");
    const run = await runCli(["guardrails", "Sales", ...args], { SMS_MCP_CONFIG: config });
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(says);
    expect(await readFile(config, "utf8")).toBe(before);
  });
});

describe.skipIf(!keychain.available)(
  `guardrails set, then a send honours it${keychain.available ? "" : ` (skipped: ${keychain.reason})`}`,
  () => {
    let sim: Simulator;
    let dir: string;
    beforeAll(async () => {
      sim = await startSimulator();
      dir = await mkdtemp(join(tmpdir(), "sms-mcp-guardrails-send-"));
    });
    afterAll(async () => {
      await sim?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("perRecipient set to 1/1h: the second text to the same person is refused", async () => {
      const env = {
        SMS_MCP_CONFIG: join(dir, "config.json"),
        SMS_MCP_STATE_DIR: join(dir, "state"),
      };
      const label = `Guarded ${process.pid}`;
      const connect = await runCli(
        [
          "connect",
          "twilio",
          "--label",
          label,
          "--account-sid",
          sim.accounts.twilio.accountSid,
          "--default-from",
          sim.accounts.twilio.numbers[0] as string,
          "--api-base-url",
          sim.url,
        ],
        env,
        `${sim.accounts.twilio.authToken}\n`,
      );
      expect(connect.code, connect.stderr).toBe(0);
      try {
        const set = await runCli(["guardrails", label, "set", "perRecipient", "1/1h"], env);
        expect(set.code, set.stderr).toBe(0);
        sim.clear();
        const send = (message: string) =>
          runCli(
            ["send", "--connection", label, "--to", "+15551234567", "--message", message, "--json"],
            env,
          );
        expect((await send("First")).code).toBe(0);
        const second = await send("Second");
        expect(second.code).toBe(1);
        expect(second.stdout + second.stderr).toMatch(/rate/);
        expect(sim.requests()).toHaveLength(1);
      } finally {
        await runCli(["disconnect", label], env);
      }
    });
  },
);
