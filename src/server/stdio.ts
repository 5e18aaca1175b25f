import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Logger } from "../log/logger.js";
import type { SmsService } from "../sms/smsService.js";
import { createMcpServer } from "./createMcpServer.js";
import { refusalMessage, StdioInputScreen } from "./stdioInput.js";

const WARM_UP_FALLBACK_MS = 250;
/** Far above any real MCP message to this server (a send_sms call is a few KiB at most). */
const MAX_LINE_BYTES = 1024 * 1024;

export interface StdioOptions {
  /** How long a shutdown lets started sends finish: at least the longest a send can take. */
  drainMs: number;
}

export async function serveStdio(
  service: SmsService,
  logger: Logger,
  { drainMs }: StdioOptions,
): Promise<void> {
  const server = createMcpServer(service);
  // The first tools/list answer triggers the warm-up (createMcpServer); this is the fallback
  // for a host that calls tools without listing them first.
  server.oninitialized = () => setTimeout(() => service.warmUp(), WARM_UP_FALLBACK_MS).unref();

  // stdout is the protocol's: anything a dependency prints with console.log lands on stderr.
  for (const method of ["log", "info", "debug"] as const) console[method] = console.error;

  let closing = false;
  /** Lets every started send finish and be recorded (bounded), then exits. */
  const close = async (exitCode = 0) => {
    if (closing) return;
    closing = true;
    await Promise.race([service.idle(), new Promise((resolve) => setTimeout(resolve, drainMs))]);
    await server.close().catch(() => undefined);
    await service.close().catch(() => undefined);
    process.exit(exitCode);
  };

  const input = new StdioInputScreen(MAX_LINE_BYTES, (refusal) => {
    logger.warn({ code: refusal.code, reason: refusal.message }, "refused a message line");
    void transport.send(refusalMessage(refusal));
  });
  process.stdin.pipe(input);
  const transport = new StdioServerTransport(input, process.stdout);

  // The host went away (closed our stdout, or died): there is no one left to answer, but the
  // sends already started still finish and are recorded before the process goes.
  // Replaces the CLI's quiet exit on EPIPE: here the sends in flight must finish first.
  process.stdout.removeAllListeners("error");
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (closing) return;
    logger.warn(
      { code: error.code, inFlight: service.inFlight },
      "the host closed the connection; finishing the sends in flight, then exiting",
    );
    void close(0);
  });
  process.stdin.on("end", () => void close(0));
  process.on("SIGTERM", () => void close(0));
  process.on("SIGINT", () => void close(0));

  await server.connect(transport);
  logger.info(
    { connection: service.connection.label, provider: service.connection.provider },
    "sms-mcp serving on stdio",
  );
}
