import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { sha256 } from "../../src/util/hash.js";
import { runCli } from "../helpers/cli.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { startStdioServer } from "../helpers/stdioServer.js";

const planted = `KEYplanted-audit-${Date.now()}`;

describe("the audit log", () => {
  let sim: Simulator;
  let dir: string;
  let auditLog: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({
      accounts: {
        ...SIMULATOR_ACCOUNTS,
        telnyx: { ...SIMULATOR_ACCOUNTS.telnyx, apiKey: planted },
      },
    });
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-audit-test-"));
    auditLog = join(dir, "state", "audit.log");
    env = { ...providerEnv(sim, "telnyx"), SMS_MCP_AUDIT_LOG: auditLog };
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const lines = async () =>
    (await readFile(auditLog, "utf8"))
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l));

  it("has one line per attempt, and a pending line before each provider call", async () => {
    const server = await startStdioServer(env);
    try {
      await server.call({ to_: "+15551234567", message: "Your code is 4821" });
      await server.call({ to_: "+15005550001", message: "Hi" });
      await server.call({ to_: "+33612345678", message: "Bonjour" });
      await server.call({ to_: "+15551234567", message: "Your code is 4821" });
    } finally {
      await server.close();
    }
    const dry = await startStdioServer({ ...env, SMS_MCP_DRY_RUN: "true" });
    try {
      await dry.call({ to_: "+15551234567", message: "Practice" });
    } finally {
      await dry.close();
    }

    const all = await lines();
    expect(all.map((r) => r.outcome)).toEqual([
      "pending",
      "sent",
      "pending",
      "failed",
      "refused",
      "duplicate",
      "dry_run",
    ]);
    // Write-ahead: each pending line is tied to its outcome line by the attempt id.
    expect(all[0]?.attempt).toMatch(/^[0-9a-f-]{36}$/);
    expect(all[0]?.attempt).toBe(all[1]?.attempt);
    expect(all[2]?.attempt).toBe(all[3]?.attempt);
    const records = all.filter((r) => r.outcome !== "pending");
    expect(records[0]).toMatchObject({
      connection: "telnyx (environment)",
      provider: "telnyx",
      to: "+15551234567",
      from: SIMULATOR_ACCOUNTS.telnyx.numbers[0],
      segments: 1,
      encoding: "GSM-7",
      errorCategory: null,
      bodySha256: sha256("Your code is 4821"),
    });
    expect(records[0].messageId).toEqual(expect.any(String));
    expect(records[1]).toMatchObject({ errorCategory: "invalid_recipient" });
    expect(records[2]).toMatchObject({ errorCategory: "not_allowed" });
    expect(records[3].messageId).toBe(records[0].messageId);
    const text = await readFile(auditLog, "utf8");
    expect(text).not.toContain(planted);
    expect(text).not.toContain("Your code is 4821");
    expect((await stat(auditLog)).mode & 0o777).toBe(0o600);
  });

  it("records bodies only when auditBodies is on", async () => {
    const server = await startStdioServer({ ...env, SMS_MCP_AUDIT_BODIES: "1" });
    try {
      await server.call({ to_: "+15551234567", message: "Body on purpose" });
    } finally {
      await server.close();
    }
    expect((await lines()).at(-1)).toMatchObject({ outcome: "sent", body: "Body on purpose" });
  });

  it("a line torn by a crash does not stop the next write or `sms-mcp log`", async () => {
    const before = (await lines()).filter((r) => r.outcome !== "pending").length;
    await appendFile(auditLog, '{"time":"2026-11-28T10:00:00.000Z","connec');
    const server = await startStdioServer(env);
    try {
      await server.call({ to_: "+15551234567", message: "After the crash" });
    } finally {
      await server.close();
    }
    const raw = (await readFile(auditLog, "utf8")).split("\n");
    expect(raw.at(-2)).toContain('"outcome":"sent"');
    expect(raw.at(-3)).toContain('"outcome":"pending"');
    expect(raw.at(-4)).toBe('{"time":"2026-11-28T10:00:00.000Z","connec');

    const json = await runCli(["log", "--since", "1h", "--json", "--file", auditLog], {});
    expect(json.code).toBe(0);
    const shown = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(shown).toHaveLength(before + 1);
    expect(shown.at(-1)).toMatchObject({ outcome: "sent" });

    const table = await runCli(["log", "--since", "1h"], { SMS_MCP_AUDIT_LOG: auditLog });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^time\s+connection\s+to\s+outcome/);
    expect(table.stdout).toContain("dry_run");
    expect(table.stdout).not.toContain(planted);

    const bad = await runCli(["log", "--since", "yesterday"], { SMS_MCP_AUDIT_LOG: auditLog });
    expect(bad.code).toBe(2);
  });
});

describe("sms-mcp log on a hostile record", () => {
  it("escapes ESC and every other C0/C1 control, so a record cannot rewrite the terminal", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sms-mcp-log-escape-"));
    try {
      const file = join(dir, "audit.log");
      const hostile = {
        time: new Date().toISOString(),
        connection: "evil\u001b]0;owned\u0007",
        provider: "twilio",
        to: "+1555\u001b[2J\u001b[31m",
        from: "\u009b31m",
        segments: 1,
        encoding: "GSM-7",
        outcome: "sent",
        errorCategory: null,
        messageId: "SM\u202etxt.exe",
        bodySha256: null,
      };
      const raw = `${JSON.stringify(hostile)}\n`;
      await appendFile(file, raw);
      for (const args of [["log"], ["log", "--json"]]) {
        const run = await runCli([...args, "--file", file], {});
        expect(run.code).toBe(0);
        // Every control character but the newlines that end the lines, and the bidi override.
        expect(run.stdout.replaceAll("\n", "")).not.toMatch(/[\p{Cc}\u202e]/u);
        expect(run.stdout).toContain("\\u001b");
      }
      // The raw record stays in the file.
      expect(await readFile(file, "utf8")).toBe(raw);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("sms-mcp log --connection with connections sharing one audit log", () => {
  it("shows the named connection's lines only", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sms-mcp-log-connection-"));
    try {
      const config = join(dir, "config.json");
      const auditLog = join(dir, "audit.log");
      await writeFile(
        config,
        JSON.stringify({
          version: 1,
          defaultConnection: "sales",
          connections: [
            {
              id: "sales",
              label: "Twilio - Sales",
              provider: "twilio",
              accountSid: `AC${"1".repeat(32)}`,
              defaultFrom: "+15550100001",
            },
            {
              id: "support",
              label: "Telnyx - Support",
              provider: "telnyx",
              defaultFrom: "+15550300001",
            },
          ],
        }),
      );
      const line = (connection: string, to: string) =>
        JSON.stringify({
          time: new Date().toISOString(),
          connection,
          provider: connection.startsWith("Twilio") ? "twilio" : "telnyx",
          to,
          from: null,
          segments: 1,
          encoding: "GSM-7",
          outcome: "sent",
          errorCategory: null,
          messageId: null,
          bodySha256: null,
        });
      await writeFile(
        auditLog,
        `${[line("Twilio - Sales", "+15551230001"), line("Telnyx - Support", "+15551230002"), line("Twilio - Sales", "+15551230003")].join("\n")}\n`,
      );
      const env = { SMS_MCP_CONFIG: config, SMS_MCP_AUDIT_LOG: auditLog };
      const shown = async (connection: string) =>
        (await runCli(["log", "--json", "--connection", connection], env)).stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).to);
      expect(await shown("Twilio - Sales")).toEqual(["+15551230001", "+15551230003"]);
      expect(await shown("support")).toEqual(["+15551230002"]);
      const all = await runCli(["log", "--json"], env);
      expect(all.stdout.trim().split("\n")).toHaveLength(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
