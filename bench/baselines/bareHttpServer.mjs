// Baseline: a bare MCP SDK v2 Streamable HTTP server with one tool, written the way the SDK's
// docs show (createMcpHandler + toNodeHandler on node:http, both eras per request), whose tool
// makes the same Twilio SDK call sms-mcp makes. Prints {"url": …} on stderr once listening.
import { createServer } from "node:http";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { twilioAt } from "./twilio.mjs";

const client = twilioAt(
  process.env.BENCH_TWILIO_BASE_URL,
  process.env.TWILIO_ACCOUNT_SID,
  process.env.TWILIO_AUTH_TOKEN,
);

const handler = toNodeHandler(
  createMcpHandler(() => {
    const server = new McpServer({ name: "bare-http", version: "1.0.0" });
    server.registerTool(
      "send_sms",
      {
        inputSchema: z.object({
          to_: z.string(),
          message: z.string(),
          from_: z.string().optional(),
        }),
      },
      async ({ to_, message, from_ }) => {
        await client.messages.create({
          to: to_,
          from: from_ ?? process.env.BENCH_FROM,
          body: message,
        });
        return { content: [{ type: "text", text: "SMS sent." }] };
      },
    );
    return server;
  }),
);

const server = createServer((req, res) => void handler(req, res));
server.listen(0, "127.0.0.1", () => {
  process.stderr.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
