import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Logger } from "../log/logger.js";
import type { SmsService } from "../sms/smsService.js";
import { createMcpServer } from "./createMcpServer.js";

const WARM_UP_FALLBACK_MS = 250;
const DRAIN_MS = 10_000;

export async function serveStdio(service: SmsService, logger: Logger): Promise<void> {
  const server = createMcpServer(service);
  // The first tools/list answer triggers the warm-up (createMcpServer); this is the fallback
  // for a host that calls tools without listing them first.
  server.oninitialized = () => setTimeout(() => service.warmUp(), WARM_UP_FALLBACK_MS).unref();

  const transport = new StdioServerTransport();
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    // Never cut a send in half: let started sends answer first (bounded).
    await Promise.race([service.idle(), new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
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
