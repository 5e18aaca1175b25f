// The CLI as a person at a terminal meets it: where each answer goes, what it says, and the
// small conveniences (a suggestion for a typo, a default that can be changed, local times).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { freePort } from "../helpers/ports.js";
import { runCliOnPty } from "../helpers/pty.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const TO = "+15551234567";
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" };

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());
beforeEach(async () => {
  sim.clear();
  dir = await mkdtemp(join(tmpdir(), "sms-mcp-manners-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("sms-mcp send", () => {
  it("success goes to stdout with the message id, the segments and the notes", async () => {
    const env = providerEnv(sim, "twilio");
    const run = await runCli(
      ["send", "--to", TO, "--message", "Pay here: https://pay.example/q/42"],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const [answer, details, note] = run.stdout.trimEnd().split("\n");
    expect(answer).toBe("SMS sent.");
    expect(details).toMatch(
      new RegExp(
        `^message SM[0-9a-f]{32}, 1 segment \\(GSM-7\\), from \\${env.SMS_MCP_DEFAULT_FROM}, to \\${TO}$`,
      ),
    );
    expect(note).toMatch(/^note: the text contains a link/);
  });

  it("a failure is one line on stderr, nothing on stdout, exit 1, nothing sent", async () => {
    const run = await runCli(
      ["send", "--to", "+1555", "--message", "hi"],
      providerEnv(sim, "twilio"),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^SMS couldn't be sent: .*E\.164.*\n$/);
    expect(sim.requests()).toHaveLength(0);
  });

  it("--json prints the details as one JSON line, on success and failure alike", async () => {
    const env = providerEnv(sim, "plivo");
    const sent = await runCli(["send", "--to", TO, "--message", "hi", "--json"], env);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: "sent", provider: "plivo", to: TO });
    const refused = await runCli(["send", "--to", "+1555", "--message", "hi", "--json"], env);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      status: "failed",
      error: { category: "invalid_recipient" },
    });
  });

  it("--dry-run says that nothing was sent, and sends nothing", async () => {
    const run = await runCli(
      ["send", "--to", TO, "--message", "practice", "--dry-run"],
      providerEnv(sim, "telnyx"),
    );
    expect(run.code).toBe(0);
    const [answer, dryRun] = run.stdout.split("\n");
    expect(answer).toBe("SMS sent.");
    expect(dryRun).toMatch(/^This was a dry run: .*nothing was sent/);
    expect(sim.requests()).toHaveLength(0);
  });

  it("on a terminal, a provider slower than a second gets a progress line, erased after", async () => {
    // A real terminal: its output is the terminal's transcript.
    const session = runCliOnPty(
      ["send", "--to", "+15005550008", "--message", "late"],
      providerEnv(sim, "twilio"),
    );
    expect(await session.exit).toBe(0);
    expect(session.output()).toContain(
      'Sending through Twilio ("twilio (environment)")…\r\u001b[2K',
    );
    expect(session.output()).toMatch(/SMS sent\./);
  });
});

describe("connections", () => {
  const configWithTwo = async () => {
    const configPath = join(dir, "config.json");
    const connection = (id: string, label: string) => ({
      id,
      label,
      provider: "telnyx",
      defaultFrom: "+15550300001",
      apiBaseUrl: sim.url,
    });
    await writeFile(
      configPath,
      JSON.stringify({
        version: 1,
        defaultConnection: "telnyx-sales",
        connections: [
          connection("telnyx-sales", "Telnyx - Sales"),
          connection("telnyx-support", "Telnyx - Support"),
        ],
      }),
    );
    return { SMS_MCP_CONFIG: configPath, ...NO_KEYCHAIN };
  };

  it("`connections use <label>` changes the default", async () => {
    const env = await configWithTwo();
    const use = await runCli(["connections", "use", "telnyx - support"], env);
    expect(use.code).toBe(0);
    expect(use.stdout).toMatch(/"Telnyx - Support" \(telnyx-support\) is now the default/);
    const list = JSON.parse((await runCli(["connections", "--json"], env)).stdout);
    expect(
      list.connections.map((c: { id: string; isDefault: boolean }) => [c.id, c.isDefault]),
    ).toEqual([
      ["telnyx-sales", false],
      ["telnyx-support", true],
    ]);
  });

  it("a mistyped label gets a suggestion, and changes nothing", async () => {
    const env = await configWithTwo();
    const before = await readFile(env.SMS_MCP_CONFIG, "utf8");
    for (const args of [
      ["connections", "use", "Telnyx - Suport"],
      ["send", "--connection", "Telnyx - Sles", "--to", TO, "--message", "hi"],
    ]) {
      const run = await runCli(args, env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /no connection named ".*"; did you mean "Telnyx - (Support|Sales)"\?/,
      );
    }
    expect(await readFile(env.SMS_MCP_CONFIG, "utf8")).toBe(before);
    expect(sim.requests()).toHaveLength(0);
  });
});

describe("a provider that cannot be reached, outside a send", () => {
  it("check names the connection and its origin, and speaks of no message", async () => {
    const closed = await freePort();
    const origin = `http://127.0.0.1:${closed}`;
    const run = await runCli(["check"], {
      ...providerEnv(sim, "telnyx"),
      SMS_MCP_API_BASE_URL: origin,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `could not reach Telnyx at ${origin} for "telnyx \\(environment\\)": the connection was refused`,
      ),
    );
    expect(run.stderr).not.toMatch(/message/);
  });
});

describe("log and help", () => {
  it("log shows local times with their zone", async () => {
    const file = join(dir, "audit.log");
    await writeFile(
      file,
      `${JSON.stringify({
        time: new Date(Date.now() - 60_000).toISOString().replace(/\d\d:\d\d\.\d+Z$/, "00:00.000Z"),
        connection: "c",
        provider: "twilio",
        to: TO,
        from: "+15550100001",
        segments: 1,
        encoding: "GSM-7",
        outcome: "sent",
        errorCategory: null,
        messageId: "SM1",
        bodySha256: null,
      })}\n`,
    );
    const inNewYork = await runCli(["log", "--file", file], { TZ: "America/New_York" });
    const inKolkata = await runCli(["log", "--file", file], { TZ: "Asia/Kolkata" });
    expect(inNewYork.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:00 -0[45]:00/);
    expect(inKolkata.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:30:00 \+05:30/);
  });

  it("connect --help prints each example on one line", async () => {
    const help = await runCli(["connect", "--help"], {});
    const examples = help.stdout.slice(help.stdout.indexOf("Examples:")).trim().split("\n");
    expect(
      examples
        .slice(1)
        .map((line) => line.trim().startsWith("sms-mcp") || line.trim().startsWith("printf")),
    ).toEqual([true, true]);
  });
});

describe("serve on a terminal", () => {
  const env = {
    SMS_MCP_PROVIDER: "telnyx",
    TELNYX_API_KEY: "KEYterminal-test",
    SMS_MCP_DEFAULT_FROM: "+15550300001",
    SMS_MCP_API_BASE_URL: "http://127.0.0.1:9",
    NO_COLOR: "1",
  };

  it("says in one readable line what it serves and how to stop, then stops on Ctrl-C", async () => {
    const session = runCliOnPty(["serve"], env);
    await session.waitFor(/Ctrl-C stops it/);
    const first =
      session
        .output()
        .split(/\r?\n/)
        .find((line) => line.trim() !== "") ?? "";
    expect(first).toMatch(
      /^\[\d\d:\d\d:\d\d\] INFO: sms-mcp serving telnyx \(environment\) on stdio: .*Ctrl-C stops it/,
    );
    expect(first).not.toContain('{"level"');
    session.type("\u0003");
    expect(await session.exit).toBe(0);
  });

  it("with SMS_MCP_LOG_FORMAT=json, JSON lines even on a terminal", async () => {
    const session = runCliOnPty(["serve"], { ...env, SMS_MCP_LOG_FORMAT: "json" });
    await session.waitFor(/Ctrl-C stops it/);
    const first =
      session
        .output()
        .split(/\r?\n/)
        .find((line) => line.trim() !== "") ?? "";
    expect(JSON.parse(first)).toMatchObject({ level: 30, connection: "telnyx (environment)" });
    session.type("\u0003");
    expect(await session.exit).toBe(0);
  });
});

describe("connect on a terminal, before anything is stored", () => {
  it("asks again for a malformed Account SID, with the reason; Ctrl-C says cancelled and exits 130", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sms-mcp-reask-"));
    const config = join(dir, "config.json");
    try {
      const session = runCliOnPty(["connect", "twilio", "--label", "Twilio - Typo"], {
        SMS_MCP_CONFIG: config,
      });
      await session.waitFor("Twilio Account SID");
      session.type("AC123\r");
      await session.waitFor("must be AC followed by 32 hex characters");
      // Still asking: the same prompt takes the corrected answer, and the next one comes.
      session.type(`${"\u007f".repeat(5)}AC${"0".repeat(32)}\r`);
      await session.waitFor("auth token (hidden)");
      session.type("\u0003");
      expect(await session.exit).toBe(130);
      expect(session.output()).toContain("sms-mcp: cancelled");
      expect(session.output()).not.toMatch(/at .*\.js:\d+/);
      await expect(readFile(config, "utf8")).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("log on a terminal", () => {
  it("fits 80 columns, cutting the label and the message id first, never the outcome; colours it unless NO_COLOR", async () => {
    const folder = await mkdtemp(join(tmpdir(), "sms-mcp-log-width-"));
    try {
      const file = join(folder, "audit.log");
      const record = (outcome: string, n: number) =>
        JSON.stringify({
          time: new Date(Date.now() - 60_000 + n).toISOString(),
          connection: "Twilio - Front desk of the Riverside Dental Clinic",
          provider: "twilio",
          to: `+1555123450${n}`,
          from: "+15550100001",
          segments: 1,
          encoding: "GSM-7",
          outcome,
          errorCategory: outcome === "refused" ? "rate_limited" : null,
          messageId: `SM${String(n).repeat(32)}`,
          bodySha256: null,
        });
      await writeFile(file, `${[record("sent", 1), record("refused", 2)].join("\n")}\n`);
      const screen = async (env: Record<string, string>) => {
        const session = runCliOnPty(["log", "--file", file], { COLUMNS: "80", ...env });
        expect(await session.exit).toBe(0);
        return session
          .output()
          .split(/\r?\n/)
          .filter((line) => line.trim() !== "");
      };
      const coloured = await screen({});
      expect(coloured.some((line) => line.includes("\u001b[32msent"))).toBe(true);
      const plain = await screen({ NO_COLOR: "1" });
      expect(plain.join("\n")).not.toContain("\u001b[");
      expect(plain).toHaveLength(3);
      for (const line of plain) expect(line.length).toBeLessThanOrEqual(80);
      // The time, the recipient and the outcome are whole; what gave way ends in an ellipsis.
      expect(plain[1]).toMatch(/ \+15551234501 +sent /);
      expect(plain[2]).toMatch(/ \+15551234502 +refused /);
      expect(plain[1]).toContain("…");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
