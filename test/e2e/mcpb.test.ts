// The MCPB bundle as Claude Desktop installs it: unpacked by the official `mcpb` CLI, started
// with the manifest's own command, arguments and environment (user_config filled in as a
// host fills it), and sending through the real MCP Client. Builds the bundle first when the
// one in dist/ holds another build of the server (or there is none).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import type { ProviderName } from "../../src/sms/providerNames.js";
import { cleanEnv } from "../helpers/simulatorEnv.js";

const root = new URL("../../", import.meta.url).pathname;
const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
const bundle = join(root, "dist", `sms-mcp-${version}.mcpb`);
const mcpb = join(root, "node_modules", ".bin", "mcpb");

interface Manifest {
  server: { mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  user_config: Record<string, { type: string; sensitive?: boolean; required?: boolean }>;
}

/** `${__dirname}` and `${user_config.KEY}` replaced as the MCPB spec says a host replaces them. */
function substitute(value: string, dir: string, config: Record<string, string>): string {
  return value
    .replace(/\$\{__dirname\}/g, dir)
    .replace(/\$\{user_config\.([a-z_]+)\}/g, (_, key: string) => config[key] ?? "");
}

let sim: Simulator;
let unpacked: string;
let manifest: Manifest;

/** Unpacks the bundle with the official CLI, as a host installs it. */
async function unpack(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sms-mcp-mcpb-"));
  execFileSync(mcpb, ["unpack", bundle, dir], { stdio: "ignore" });
  return dir;
}

beforeAll(async () => {
  const server = await readFile(join(root, "dist", "bin", "main.js"), "utf8");
  let existing = existsSync(bundle) ? await unpack() : undefined;
  // A bundle built from another build than dist/bin is rebuilt (the build is deterministic).
  if (existing && (await readFile(join(existing, "server", "main.js"), "utf8")) !== server) {
    await rm(existing, { recursive: true, force: true });
    existing = undefined;
  }
  if (!existing) {
    execFileSync(process.execPath, [join(root, "scripts", "bundle-mcpb.mjs")], {
      cwd: root,
      stdio: "ignore",
    });
  }
  unpacked = existing ?? (await unpack());
  manifest = JSON.parse(await readFile(join(unpacked, "manifest.json"), "utf8"));
  sim = await startSimulator();
}, 180_000);

afterAll(async () => {
  await sim?.close();
  if (unpacked) await rm(unpacked, { recursive: true, force: true });
});

/** Starts the unpacked bundle's server exactly as a host does, with `config` as the person's settings. */
async function startAsHost(config: Record<string, string>) {
  const { command, args, env } = manifest.server.mcp_config;
  const hostEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env))
    hostEnv[key] = substitute(value, unpacked, config);
  const transport = new StdioClientTransport({
    command: command === "node" ? process.execPath : command,
    args: args.map((arg) => substitute(arg, unpacked, config)),
    // The simulator stands in for the provider's real origin.
    env: { ...cleanEnv(), ...hostEnv, SMS_MCP_API_BASE_URL: sim.url },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: "mcpb-host", version: "0" });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

describe("the MCPB bundle", () => {
  it("passes `mcpb validate`, and keeps every credential in a sensitive user_config field", () => {
    expect(() =>
      execFileSync(mcpb, ["validate", join(root, "manifest.json")], { stdio: "pipe" }),
    ).not.toThrow();
    const { env } = manifest.server.mcp_config;
    const secretKeys = ["TWILIO_AUTH_TOKEN", "PLIVO_AUTH_TOKEN", "TELNYX_API_KEY"];
    for (const key of secretKeys) {
      const field = /\$\{user_config\.([a-z_]+)\}/.exec(env[key] ?? "")?.[1] ?? "";
      expect(manifest.user_config[field], key).toMatchObject({ type: "string", sensitive: true });
    }
    expect(manifest.user_config.provider?.required).toBe(true);
    expect(manifest.user_config.default_from?.required).toBe(true);
  });

  it("carries the server and its provider SDKs, and no test or build tooling", () => {
    const modules = readdirSync(join(unpacked, "node_modules"));
    expect(modules).toEqual(expect.arrayContaining(["twilio", "plivo", "telnyx"]));
    for (const devOnly of ["vitest", "typescript", "esbuild", "@biomejs", "@anthropic-ai"]) {
      expect(modules).not.toContain(devOnly);
    }
    expect(existsSync(join(unpacked, "server", "main.js"))).toBe(true);
  });

  it.each([
    [
      "twilio",
      (s: Simulator) => ({
        account_id: s.accounts.twilio.accountSid,
        secret: s.accounts.twilio.authToken,
        default_from: s.accounts.twilio.numbers[0],
      }),
    ],
    [
      "plivo",
      (s: Simulator) => ({
        account_id: s.accounts.plivo.authId,
        secret: s.accounts.plivo.authToken,
        default_from: s.accounts.plivo.numbers[0],
      }),
    ],
    [
      "telnyx",
      (s: Simulator) => ({
        account_id: "",
        secret: s.accounts.telnyx.apiKey,
        default_from: s.accounts.telnyx.numbers[0],
      }),
    ],
  ] as const)(
    "started as the host starts it, with %s: sends one text",
    async (provider, settings) => {
      sim.clear();
      const config: Record<string, string> = {
        provider: provider as ProviderName,
        ...settings(sim),
      };
      const { client, stderr } = await startAsHost(config);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(["send_sms"]);
        const result = (await client.callTool({
          name: "send_sms",
          arguments: { to_: "+15551234567", message: "Installed by drag and drop" },
        })) as CallToolResult;
        expect(result.content[0]).toMatchObject({ type: "text", text: "SMS sent." });
        expect(result.structuredContent).toMatchObject({ provider, status: "sent" });
        expect(sim.requests()).toHaveLength(1);
        expect(stderr()).not.toContain(config.secret);
      } finally {
        await client.close();
      }
    },
  );

  it("a sending number typed with spaces is read as E.164, and the text goes", async () => {
    sim.clear();
    const { client, stderr } = await startAsHost({
      provider: "Twilio",
      account_id: sim.accounts.twilio.accountSid,
      secret: sim.accounts.twilio.authToken,
      default_from: "+1 555 010 0001",
    });
    try {
      const result = (await client.callTool({
        name: "send_sms",
        arguments: { to_: "+15551234567", message: "Typed with spaces" },
      })) as CallToolResult;
      expect(result.structuredContent).toMatchObject({ status: "sent", from: "+15550100001" });
      expect(stderr()).toMatch(/SMS_MCP_DEFAULT_FROM had spaces or punctuation/);
    } finally {
      await client.close();
    }
  });

  it.each([
    [
      "a provider name that is none of the three",
      { provider: "twillio" },
      /SMS_MCP_PROVIDER must be twilio, plivo or telnyx, not "twillio"/,
    ],
    ["no secret", { secret: "" }, /needs TWILIO_AUTH_TOKEN to be set/],
  ])(
    "settings that cannot work (%s): the server stays up and every send_sms says what to fix",
    async (_name, typo, says) => {
      sim.clear();
      const { client, stderr } = await startAsHost({
        provider: "twilio",
        account_id: sim.accounts.twilio.accountSid,
        secret: sim.accounts.twilio.authToken,
        default_from: sim.accounts.twilio.numbers[0],
        ...typo,
      });
      try {
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(["send_sms"]);
        const result = (await client.callTool({
          name: "send_sms",
          arguments: { to_: "+15551234567", message: "Will not go" },
        })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(result.content[0]).toMatchObject({ text: "SMS couldn't be sent" });
        expect(result.content[1]).toMatchObject({ text: expect.stringMatching(says) });
        expect(result.structuredContent).toMatchObject({
          error: { category: "configuration", retryable: false },
        });
        expect(sim.requests()).toHaveLength(0);
        expect(stderr()).toMatch(/the settings cannot work/);
      } finally {
        await client.close();
      }
    },
  );
});
