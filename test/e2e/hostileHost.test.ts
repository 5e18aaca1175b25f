// A host that misbehaves on stdio: raw lines written straight to the server's stdin, a host
// that goes away mid-send, oversized and malformed messages.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { cleanEnv, providerEnv } from "../helpers/simulatorEnv.js";
import { CLI_PATH } from "../helpers/stdioServer.js";

interface RawServer {
  child: ChildProcessWithoutNullStreams;
  write(line: string): void;
  /** The next JSON-RPC message on stdout whose id is `id` (null for id-less errors). */
  answer(id: number | null): Promise<Record<string, unknown>>;
  stderr(): string;
  /** stdout lines that were not JSON: there must be none. */
  notJson(): string[];
  exit: Promise<number | null>;
}

function startRaw(env: Record<string, string>): RawServer {
  const child = spawn(process.execPath, [CLI_PATH, "serve"], {
    env: { ...cleanEnv(), SMS_MCP_LOG_LEVEL: "info", ...env },
  });
  const messages: Array<Record<string, unknown>> = [];
  const notJson: string[] = [];
  const waiters: Array<() => void> = [];
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
      const line = buffered.slice(0, newline);
      try {
        messages.push(JSON.parse(line));
      } catch {
        notJson.push(line);
      }
      buffered = buffered.slice(newline + 1);
      for (const wake of waiters.splice(0)) wake();
    }
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    child,
    write: (line) => child.stdin.write(`${line}\n`),
    async answer(id) {
      for (;;) {
        const found = messages.find((m) => m.id === id);
        if (found) {
          messages.splice(messages.indexOf(found), 1);
          return found;
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    stderr: () => stderr,
    notJson: () => notJson,
    exit,
  };
}

const initialize = (server: RawServer) => {
  server.write(
    JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "raw", version: "0" },
      },
    }),
  );
  server.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  return server.answer(0);
};

const call = (id: number, params: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params });

const firstText = (message: Record<string, unknown>) =>
  ((message.result as { content?: Array<{ text?: string }> })?.content ?? [])[0]?.text;

describe("a hostile host on stdio", () => {
  let sim: Simulator;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim?.close());
  beforeEach(async () => {
    sim.clear();
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-hostile-"));
    env = { ...providerEnv(sim, "telnyx"), SMS_MCP_AUDIT_LOG: join(dir, "audit.log") };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ["telnyx", { TELNYX_LOG: "debug" }],
    ["twilio", { TWILIO_LOG_LEVEL: "debug" }],
  ] as const)(
    "%s with its SDK's debug switch on: stdout stays JSON-RPC only",
    async (provider, debug) => {
      const server = startRaw({ ...env, ...providerEnv(sim, provider), ...debug, NODE_DEBUG: "" });
      await initialize(server);
      server.write(
        call(1, { name: "send_sms", arguments: { to_: "+15551234567", message: "hi" } }),
      );
      expect(firstText(await server.answer(1))).toBe("SMS sent.");
      server.child.stdin.end();
      await server.exit;
      expect(server.notJson()).toEqual([]);
      const secret =
        provider === "telnyx" ? sim.accounts.telnyx.apiKey : sim.accounts.twilio.authToken;
      expect(server.stderr()).not.toContain(secret);
    },
  );

  describe("a 2026-07-28 host that skips the probe and calls at once", () => {
    const META = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
    };
    const SEND = { name: "send_sms", arguments: { to_: "+15551234567", message: "hi" } };

    it("is served statelessly: the call sends, with resultType and the server's identity", async () => {
      const server = startRaw(env);
      server.write(call(1, { ...SEND, _meta: META }));
      const answer = await server.answer(1);
      expect(firstText(answer)).toBe("SMS sent.");
      expect(answer.result).toMatchObject({
        resultType: "complete",
        _meta: { "io.modelcontextprotocol/serverInfo": { name: "sms-mcp" } },
      });
      server.child.stdin.end();
      expect(await server.exit).toBe(0);
      expect(sim.requests()).toHaveLength(1);
    });

    it.each([
      [
        "a protocol version the server does not speak",
        { ...META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" },
        -32022,
      ],
      [
        "no clientCapabilities",
        { "io.modelcontextprotocol/protocolVersion": "2026-07-28" },
        -32602,
      ],
    ])(
      "with %s gets its error code under its id, first or later, nothing sent, and serving goes on",
      async (_name, meta, code) => {
        const server = startRaw(env);
        server.write(call(1, { ...SEND, _meta: meta }));
        const refusal = await server.answer(1);
        expect(refusal).toMatchObject({ jsonrpc: "2.0", id: 1, error: { code } });
        if (code === -32022) {
          expect(refusal.error).toMatchObject({
            data: { supported: ["2026-07-28"], requested: "2099-01-01" },
          });
        }
        expect(sim.requests()).toHaveLength(0);
        server.write(call(2, { ...SEND, _meta: META }));
        expect(firstText(await server.answer(2))).toBe("SMS sent.");
        // The same on a later request, once the connection speaks 2026-07-28 (the SDK checks
        // the revision of the opening message only).
        server.write(
          call(3, { ...SEND, arguments: { ...SEND.arguments, message: "Later" }, _meta: meta }),
        );
        const later = await server.answer(3);
        expect(later).toMatchObject({ id: 3, error: { code } });
        if (code === -32022) expect(later).toMatchObject({ error: refusal.error });
        server.child.stdin.end();
        expect(await server.exit).toBe(0);
        expect(sim.requests()).toHaveLength(1);
      },
    );
  });

  it("a line that is not JSON gets a parse error (-32700, id null), and serving goes on", async () => {
    const server = startRaw(env);
    await initialize(server);
    server.write("this is { not json");
    const error = await server.answer(null);
    expect(error).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
    server.write(call(1, { name: "send_sms", arguments: { to_: "+15551234567", message: "hi" } }));
    expect(firstText(await server.answer(1))).toBe("SMS sent.");
    server.child.stdin.end();
    expect(await server.exit).toBe(0);
  });

  // Pins of the SDK's own parsing of tools/call (v2 refuses a call that breaks the protocol's
  // shape before any handler runs): the day it changes, these fail.
  it.each([
    ["arguments null", { name: "send_sms", arguments: null }],
    ["no tool name", { arguments: { to_: "+15551234567", message: "hi" } }],
  ])(
    "tools/call with %s is refused with -32602 under its id, nothing sent, serving goes on",
    async (_name, params) => {
      const server = startRaw(env);
      await initialize(server);
      server.write(call(7, params));
      expect(await server.answer(7)).toMatchObject({
        jsonrpc: "2.0",
        id: 7,
        error: { code: -32602 },
      });
      server.write(
        call(8, { name: "send_sms", arguments: { to_: "+15551234567", message: "after" } }),
      );
      expect(firstText(await server.answer(8))).toBe("SMS sent.");
      server.child.stdin.end();
      await server.exit;
      expect(sim.requests()).toHaveLength(1);
    },
  );

  it("tools/call with no params at all is refused with -32602, nothing sent", async () => {
    const server = startRaw(env);
    await initialize(server);
    server.write(JSON.stringify({ jsonrpc: "2.0", id: 8, method: "tools/call" }));
    expect(await server.answer(8)).toMatchObject({ id: 8, error: { code: -32602 } });
    server.child.stdin.end();
    await server.exit;
    expect(sim.requests()).toHaveLength(0);
  });

  it.each([
    ["params null", { jsonrpc: "2.0", id: 9, method: "tools/call", params: null }],
    ["params an array", { jsonrpc: "2.0", id: 9, method: "tools/call", params: ["+1555"] }],
    ["no jsonrpc version", { id: 9, method: "tools/call", params: {} }],
  ])(
    "a request with %s is answered Invalid Request under its own id, and serving goes on",
    async (_name, request) => {
      const server = startRaw(env);
      await initialize(server);
      server.write(JSON.stringify(request));
      expect(await server.answer(9)).toMatchObject({
        jsonrpc: "2.0",
        id: 9,
        error: { code: -32600 },
      });
      server.write(
        call(10, { name: "send_sms", arguments: { to_: "+15551234567", message: "hi" } }),
      );
      expect(firstText(await server.answer(10))).toBe("SMS sent.");
      server.child.stdin.end();
      expect(await server.exit).toBe(0);
      expect(sim.requests()).toHaveLength(1);
    },
  );

  it("a message line over the size limit is refused with a JSON-RPC error, and a send in flight still answers", async () => {
    const server = startRaw(env);
    await initialize(server);
    server.write(
      call(1, { name: "send_sms", arguments: { to_: "+15005550007", message: "slow" } }),
    );
    await sim.waitForRequests(1);
    server.write(
      call(2, {
        name: "send_sms",
        arguments: { to_: "+15551234567", message: "x".repeat(2_000_000) },
      }),
    );
    expect(await server.answer(null)).toMatchObject({ error: { code: -32600 } });
    expect(firstText(await server.answer(1))).toBe("SMS sent.");
    server.write(
      call(3, { name: "send_sms", arguments: { to_: "+15551234567", message: "after" } }),
    );
    expect(firstText(await server.answer(3))).toBe("SMS sent.");
    server.child.stdin.end();
    expect(await server.exit).toBe(0);
  });

  it("the host closes stdout mid-send: no crash, the send finishes and is recorded, one log line, exit 0", async () => {
    const server = startRaw(env);
    await initialize(server);
    server.write(
      call(1, {
        name: "send_sms",
        arguments: { to_: "+15005550007", message: "slow, host leaving" },
      }),
    );
    await sim.waitForRequests(1);
    server.child.stdout.destroy();
    // The answer is written to a closed pipe: EPIPE.
    expect(await server.exit).toBe(0);
    expect(server.stderr()).not.toMatch(/EPIPE.*\n\s+at /);
    expect(server.stderr().match(/the host closed the connection/g)).toHaveLength(1);
    const audit = (await readFile(join(dir, "audit.log"), "utf8")).trim().split("\n");
    expect(audit.map((line) => JSON.parse(line).outcome)).toEqual(["pending", "sent"]);
    expect(sim.requests()).toHaveLength(1);
  });
});
