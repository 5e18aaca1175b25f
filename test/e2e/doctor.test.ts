// `sms-mcp doctor`: one line per check, OK or what to do, exit 1 when any fails; against a good
// setup (env mode on the simulator) and a broken one (files others can read, a provider that
// does not answer, a connection whose secret is gone).
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { keychainStatus } from "../helpers/keychain.js";
import { freePort } from "../helpers/ports.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

describe("sms-mcp doctor", () => {
  let sim: Simulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator();
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-doctor-"));
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a good setup: every line OK, exit 0", async () => {
    const run = await runCli(["doctor"], {
      ...providerEnv(sim, "twilio"),
      SMS_MCP_CONFIG: join(dir, "none", "config.json"),
    });
    expect(run.code, run.stdout).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.every((line) => line.startsWith("OK "))).toBe(true);
    expect(run.stdout).toMatch(/^OK +Node\.js: v\d+/m);
    expect(run.stdout).toContain(`"twilio (environment)" reaches ${sim.url}: it answers`);
  });

  it("a variable it cannot read is a failed check of its own, in both outputs, exit 1", async () => {
    const env = {
      ...providerEnv(sim, "twilio"),
      SMS_MCP_CONFIG: join(dir, "none", "config.json"),
      SMS_MCP_RATE_PER_RECIPIENT: "lots",
    };
    const run = await runCli(["doctor"], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^OK +Node\.js: v\d+/m);
    expect(run.stdout).toMatch(/^FAIL +environment: .*SMS_MCP_RATE_PER_RECIPIENT/m);
    const json = await runCli(["doctor", "--json"], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toContainEqual({
      check: "environment",
      ok: false,
      detail: expect.stringMatching(/SMS_MCP_RATE_PER_RECIPIENT/),
    });
  });

  it("a connection named on an empty configuration says none is configured and how to add one", async () => {
    const run = await runCli(["guardrails", "Sales"], {
      SMS_MCP_CONFIG: join(dir, "empty", "config.json"),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no connection named "Sales": none is configured yet; add one with/);
  });

  it("a broken setup: each problem on its own line with what to do, exit 1", async () => {
    const config = join(dir, "config.json");
    const state = join(dir, "state");
    await mkdir(state, { recursive: true });
    await chmod(state, 0o755);
    const closed = `http://127.0.0.1:${await freePort()}`;
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        connections: [
          {
            id: "gone",
            label: "Gone",
            provider: "telnyx",
            defaultFrom: "+15550300001",
            apiBaseUrl: closed,
          },
        ],
      }),
    );
    await chmod(config, 0o644);
    const run = await runCli(["doctor", "--json"], {
      SMS_MCP_CONFIG: config,
      SMS_MCP_STATE_DIR: state,
    });
    expect(run.code).toBe(1);
    const checks = Object.fromEntries((JSON.parse(run.stdout) as Check[]).map((c) => [c.check, c]));
    expect(checks["config file"]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/readable by others \(mode 644\); chmod 600/),
    });
    expect(checks["state directory"]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/chmod 700/),
    });
    // Missing from a keychain that answers; where none answers, doctor says it cannot tell.
    expect(checks['"Gone" secret']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(
        (await keychainStatus()).available
          ? /sms-mcp connect telnyx --label "Gone"/
          : /the keychain cannot be read now/,
      ),
    });
    expect(checks[`"Gone" reaches ${closed}`]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/no answer \(ECONNREFUSED\)/),
    });
  });
});
