// Baseline: a bare MCP SDK v2 stdio server with one tool, written the way the SDK's docs show
// (McpServer + serveStdio, both eras served).
// BENCH_TWILIO_BASE_URL set: the tool makes the same Twilio SDK call sms-mcp makes; otherwise a no-op.
import { McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { z } from "zod";

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

serveStdio(() => {
  const server = new McpServer({ name: "bare", version: "1.0.0" });
  server.registerTool(
    "send_sms",
    {
      inputSchema: z.object({ to_: z.string(), message: z.string(), from_: z.string().optional() }),
    },
    async ({ to_, message, from_ }) => {
      if (baseUrl) {
        const c = await twilioClient();
        await c.messages.create({ to: to_, from: from_ ?? process.env.BENCH_FROM, body: message });
      }
      return { content: [{ type: "text", text: "SMS sent." }] };
    },
  );
  return server;
});
