import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Logger } from "../log/logger.js";
import type { SmsService } from "../sms/smsService.js";
import { createMcpServer } from "./createMcpServer.js";

export async function serveStdio(service: SmsService, logger: Logger): Promise<void> {
  const server = createMcpServer(service);
  // Load the provider SDK once the host is talking to us, not before the first answer.
  server.oninitialized = () => setImmediate(() => service.warmUp());

  const transport = new StdioServerTransport();
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.stdin.on("end", close);
  process.on("SIGTERM", close);
  process.on("SIGINT", close);

  await server.connect(transport);
  logger.info(
    { connection: service.connection.label, provider: service.connection.provider },
    "sms-mcp serving on stdio",
  );
}
