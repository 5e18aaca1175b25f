// The MCP server in this process, without sockets: a legacy client over the SDK's in-memory
// transport, and a 2026-07-28 client through the SDK's stateless entry's fetch face (the
// SDK's own recipe for testing that revision in process).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Client,
  InMemoryTransport,
  ProtocolError,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { composeSmsService } from "../../src/cli/compose.js";
import { createCliContext } from "../../src/cli/context.js";
import { resolveForCli } from "../../src/cli/resolveForCli.js";
import { createLogger } from "../../src/log/logger.js";
import { createMcpServer } from "../../src/server/createMcpServer.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import type { SmsService } from "../../src/sms/smsService.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

let sim: Simulator;
let service: SmsService;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator();
  dir = await mkdtemp(join(tmpdir(), "sms-mcp-server-"));
  const context = createCliContext({
    ...providerEnv(sim, "twilio"),
    SMS_MCP_AUDIT_LOG: join(dir, "audit.log"),
    SMS_MCP_STATE_DIR: join(dir, "state"),
  });
  service = await composeSmsService(
    await resolveForCli(undefined, context),
    context,
    createLogger("warn"),
  );
});
afterAll(async () => {
  await service?.close();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(() => sim.clear());

/** A client of each era, connected to createMcpServer(service) in this process. */
async function connect(era: "legacy" | "modern"): Promise<Client> {
  if (era === "legacy") {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer(service).connect(serverSide);
    const client = new Client({ name: "in-memory", version: "0" });
    await client.connect(clientSide);
    return client;
  }
  const handler = createMcpHandler(() => createMcpServer(service), { legacy: "reject" });
  const client = new Client(
    { name: "in-process", version: "0" },
    { versionNegotiation: { mode: "auto" } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL("http://in-process.invalid/mcp"), {
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }),
  );
  return client;
}

describe.each(["legacy", "modern"] as const)("createMcpServer, %s era", (era) => {
  it("introduces itself and lists send_sms with its schemas and annotations", async () => {
    const client = await connect(era);
    expect(client.getProtocolEra() ?? "legacy").toBe(era);
    expect(client.getServerVersion()).toMatchObject({ name: "sms-mcp", title: "SMS" });
    expect(client.getInstructions()).toMatch(/Confirm the recipient's number/);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({
      name: "send_sms",
      title: "Send SMS",
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
      inputSchema: { type: "object", required: ["to_", "message"] },
    });
    expect(Object.keys(tools[0]?.outputSchema?.properties ?? {})).toContain("status");
    await client.close();
  });

  it("sends, and answers a refusal with the tool's failure string, nothing sent", async () => {
    const client = await connect(era);
    const sent = await client.callTool({
      name: "send_sms",
      arguments: { to_: "+15551234567", message: `In process, ${era}` },
    });
    expect(sent.content[0]).toEqual({ type: "text", text: "SMS sent." });
    const refused = await client.callTool({
      name: "send_sms",
      arguments: { to_: "5551234567", message: "No country code" },
    });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]).toEqual({ type: "text", text: "SMS couldn't be sent" });
    expect(sim.requests()).toHaveLength(1);
    await client.close();
  });

  it("an unknown tool is a protocol error naming the one it has", async () => {
    const client = await connect(era);
    const call = client.callTool({ name: "send_email", arguments: {} });
    await expect(call).rejects.toBeInstanceOf(ProtocolError);
    await expect(call).rejects.toThrow(/send_sms/);
    await client.close();
  });
});
