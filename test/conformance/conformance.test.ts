import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { modernNode, requireTool } from "../helpers/externalTools.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const CONFORMANCE = fileURLToPath(
  new URL("../../node_modules/@modelcontextprotocol/conformance/dist/index.js", import.meta.url),
);
const BASELINE = fileURLToPath(new URL("./baseline.yml", import.meta.url));

/** The scenarios DESIGN §15 names, at the revision each is run at. */
const MODERN = [
  "server-stateless",
  "http-header-validation",
  "tools-list",
  "dns-rebinding-protection",
  "caching",
];
const LEGACY = [
  "server-initialize",
  "ping",
  "server-session-lifecycle",
  "tools-list",
  "dns-rebinding-protection",
];

const node = modernNode();

/** Runs one scenario of the official suite against `url`; resolves with its exit code and output. */
function conformance(url: string, scenario: string, version: string) {
  const child = spawn(
    node.path as string,
    [
      CONFORMANCE,
      "server",
      "--url",
      url,
      "--scenario",
      scenario,
      "--spec-version",
      version,
      "--expected-failures",
      BASELINE,
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, output })),
  );
}

describe.runIf(requireTool(node))(
  "the official MCP conformance suite against serve --transport http",
  () => {
    let sim: Simulator;
    let sessions: HttpCli;
    let stateless: HttpCli;
    beforeAll(async () => {
      sim = await startSimulator();
      sessions = await startHttpCli(providerEnv(sim, "twilio"));
      stateless = await startHttpCli(providerEnv(sim, "twilio"), ["--stateless"]);
    });
    afterAll(async () => {
      await sessions?.stop();
      await stateless?.stop();
      await sim?.close();
    });

    it.each(MODERN)("%s at 2026-07-28: every check passes but the baseline's", async (scenario) => {
      const { code, output } = await conformance(`${sessions.url}/mcp`, scenario, "2026-07-28");
      expect(output).toMatch(/Baseline check passed|0 failed/);
      expect(code, output).toBe(0);
    });

    it.each(LEGACY)("%s at 2025-11-25: every check passes", async (scenario) => {
      const { code, output } = await conformance(`${sessions.url}/mcp`, scenario, "2025-11-25");
      expect(code, output).toBe(0);
    });

    it.each(MODERN)(
      "%s at 2026-07-28 with --stateless: every check passes but the baseline's",
      async (scenario) => {
        const { code, output } = await conformance(`${stateless.url}/mcp`, scenario, "2026-07-28");
        expect(code, output).toBe(0);
      },
    );

    it("the checks on sends: no scenario sent a text", () => {
      expect(sim.requests()).toHaveLength(0);
    });
  },
);
