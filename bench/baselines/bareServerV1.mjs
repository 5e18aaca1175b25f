// The v1-era baseline: a bare MCP SDK v1 (@modelcontextprotocol/sdk) stdio server with one tool,
// written the way that SDK's README showed.
// BENCH_TWILIO_BASE_URL set: the tool makes the same Twilio SDK call sms-mcp makes; otherwise a no-op.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "bare", version: "1.0.0" });
const baseUrl = process.env.BENCH_TWILIO_BASE_URL;
let client;

async function twilioClient() {
  // Loaded on the first call, as sms-mcp loads its provider SDK.
  client ??= (await import("./twilio.mjs")).twilioAt(
    baseUrl,
    process.env.TWILIO_ACCOUNT_SID,
    process.env.TWILIO_AUTH_TOKEN,
  );
  return client;
}

server.registerTool(
  "send_sms",
  { inputSchema: { to_: z.string(), message: z.string(), from_: z.string().optional() } },
  async ({ to_, message, from_ }) => {
    if (baseUrl) {
      const c = await twilioClient();
      await c.messages.create({ to: to_, from: from_ ?? process.env.BENCH_FROM, body: message });
    }
    return { content: [{ type: "text", text: "SMS sent." }] };
  },
);

await server.connect(new StdioServerTransport());
