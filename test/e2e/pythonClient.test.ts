// The official MCP Python SDK's client (mcp 2.3) against sms-mcp over each transport, in its
// default `auto` mode (it probes and speaks 2026-07-28 where it can) and in legacy mode.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { pythonWithMcp, requireTool } from "../helpers/externalTools.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { cleanEnv, providerEnv } from "../helpers/simulatorEnv.js";
import { CLI_PATH } from "../helpers/stdioServer.js";

const SCRIPT = fileURLToPath(new URL("../python/send_sms_client.py", import.meta.url));
const python = pythonWithMcp();

interface PythonAnswer {
  protocolVersion: string;
  tools: string[];
  texts: string[];
  isError: boolean;
}

function runPython(args: string[], env: Record<string, string>): Promise<PythonAnswer> {
  const child = spawn(python.path as string, [SCRIPT, ...args], {
    env: { ...env, SMS_MCP_TEST_NODE: process.execPath },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) =>
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`python exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as PythonAnswer);
    }),
  );
}

const CASES = [
  ["stdio", "auto", "2026-07-28"],
  ["stdio", "legacy", "2025-11-25"],
  ["http", "auto", "2026-07-28"],
  ["http", "legacy", "2025-11-25"],
  // HTTP+SSE is the 2024-11-05 transport: the probing client falls back to the legacy era.
  ["sse", "auto", "2025-11-25"],
  ["sse", "legacy", "2025-11-25"],
] as const;

describe.runIf(requireTool(python))("the MCP Python SDK's client", () => {
  let sim: Simulator;
  let http: HttpCli;
  beforeAll(async () => {
    sim = await startSimulator();
    http = await startHttpCli(providerEnv(sim, "twilio"));
  });
  afterAll(async () => {
    await http?.stop();
    await sim?.close();
  });

  it.each(CASES.map((c, n) => [...c, n] as const))(
    "over %s in %s mode speaks %s and sends one text",
    async (transport, mode, version, n) => {
      const target =
        transport === "stdio" ? CLI_PATH : `${http.url}/${transport === "http" ? "mcp" : "sse"}`;
      const to = `+1555020${String(n).padStart(4, "0")}`;
      const message = `From Python over ${transport}`;
      const before = sim.requests().length;
      const answer = await runPython([transport, target, mode, to, message], {
        ...cleanEnv(),
        ...providerEnv(sim, "twilio"),
        SMS_MCP_LOG_LEVEL: "warn",
      });
      expect(answer).toMatchObject({
        protocolVersion: version,
        tools: ["send_sms"],
        isError: false,
      });
      expect(answer.texts[0]).toBe("SMS sent.");
      const sent = sim.requests().slice(before);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.body).toMatchObject({ To: to, Body: message });
    },
  );
});
