import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("serve refuses to start with one clear line", () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-serve-"));
    env = { SMS_MCP_CONFIG: join(dir, "config.json") };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("no connection configured: says how to add one, exit 1, nothing on stdout", async () => {
    const run = await runCli(["serve"], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^sms-mcp: no connection is configured: run `sms-mcp connect/);
  });

  it("env mode with a missing variable names it", async () => {
    const run = await runCli(["serve"], {
      ...env,
      SMS_MCP_PROVIDER: "plivo",
      PLIVO_AUTH_ID: "MA1",
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/needs PLIVO_AUTH_TOKEN to be set/);
  });

  it.each([
    ["SMS_MCP_RATE_PER_RECIPIENT", "5/0s", /SMS_MCP_RATE_PER_RECIPIENT must be a count per window/],
    [
      "SMS_MCP_RATE_PER_CONNECTION",
      "-5/1h",
      /SMS_MCP_RATE_PER_CONNECTION must be a count per window/,
    ],
    ["SMS_MCP_TIMEOUT_MS", "fast", /SMS_MCP_TIMEOUT_MS must be a whole number of milliseconds/],
    ["SMS_MCP_LOG_LEVEL", "loud", /SMS_MCP_LOG_LEVEL must be one of/],
    ["SMS_MCP_LOG_FORMAT", "xml", /SMS_MCP_LOG_FORMAT must be json or pretty/],
    [
      "SMS_MCP_API_BASE_URL",
      "ftp://127.0.0.1:4010",
      /SMS_MCP_API_BASE_URL must be an http\(s\) origin/,
    ],
    [
      "SMS_MCP_REDIS_URL",
      "localhost:6379",
      /SMS_MCP_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    ],
  ])(
    "%s=%s would switch a guard off or is unreadable: refused at start-up",
    async (name, value, message) => {
      const run = await runCli(["serve"], {
        ...env,
        SMS_MCP_PROVIDER: "telnyx",
        TELNYX_API_KEY: "KEY0123",
        [name]: value,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(message);
    },
  );

  it("usage errors exit 2", async () => {
    expect((await runCli(["serve", "--transport", "carrier-pigeon"], env)).code).toBe(2);
    expect((await runCli(["serve", "--transport", "http", "--port", "http"], env)).code).toBe(2);
  });
});

describe("a bare `sms-mcp` (as `npx -y sms-mcp` runs it)", () => {
  it("serves stdio when stdin is not a terminal", async () => {
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
    const { CLI_PATH } = await import("../helpers/stdioServer.js");
    const { cleanEnv } = await import("../helpers/simulatorEnv.js");
    const client = new Client({ name: "bare", version: "0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI_PATH],
        env: {
          ...cleanEnv(),
          SMS_MCP_PROVIDER: "telnyx",
          TELNYX_API_KEY: "KEY0123",
          SMS_MCP_DEFAULT_FROM: "+15550300001",
        },
        stderr: "ignore",
      }),
    );
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["send_sms"]);
    } finally {
      await client.close();
    }
  });
});

describe("the simulator on a port in use", () => {
  it("says so in the sentence serve uses, exit 1, nothing on stdout", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as { port: number };
    try {
      const run = await runCli(["simulator", "--port", String(port)], {});
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe(
        `sms-mcp: port ${port} on 127.0.0.1 is already in use; stop what is using it or pick another with --port\n`,
      );
    } finally {
      busy.close();
    }
  });
});
