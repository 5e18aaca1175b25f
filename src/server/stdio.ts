import {
  StdioServerTransport,
  serveStdio as serveStdioEntry,
} from "@modelcontextprotocol/server/stdio";
import type { Logger } from "../log/logger.js";
import { createMcpServer } from "./createMcpServer.js";
import { MODERN_REVISIONS } from "./protocolRevisions.js";
import { refusalMessage, StdioInputScreen } from "./stdioInput.js";
import type { ToolService } from "./toolService.js";

/**
 * How long after the connection opens the provider SDK loads when the host has not listed the
 * tools (the first `tools/list` answer loads it at once).
 * @default 250
 */
const WARM_UP_FALLBACK_MS = 250;
/**
 * The longest message line taken: far above any real MCP message to this server (a send_sms
 * call is a few KiB at most).
 * @default 1048576 (1 MiB)
 */
const MAX_LINE_BYTES = 1024 * 1024;

export interface StdioOptions {
  /** How long a shutdown lets started sends finish: at least the longest a send can take. */
  drainMs: number;
  /** Runs once the sends have finished, before the process exits (flushing traces). */
  beforeExit?: (() => Promise<void>) | undefined;
}

/**
 * Serves one connection's send_sms over stdio, in the era the host's first message chooses
 * (the SDK's `serveStdio`): `initialize` pins the 2025 protocol as before; a request carrying
 * the 2026-07-28 `_meta` envelope pins the stateless revision; an unsupported version
 * (-32022) or a malformed envelope (-32602) is answered and nothing runs.
 */
export async function serveStdio(
  service: ToolService,
  logger: Logger,
  { drainMs, beforeExit }: StdioOptions,
): Promise<void> {
  // stdout is the protocol's: anything a dependency prints with console.log lands on stderr.
  for (const method of ["log", "info", "debug"] as const) console[method] = console.error;

  const input = new StdioInputScreen(MAX_LINE_BYTES, MODERN_REVISIONS, (refusal) => {
    logger.warn({ code: refusal.code, reason: refusal.message }, "refused a message line");
    transport.send(refusalMessage(refusal)).catch(() => undefined);
  });
  process.stdin.pipe(input);
  const transport = new StdioServerTransport(input, process.stdout);

  let closing = false;
  /** Lets every started send finish and be recorded (bounded), then exits. */
  const close = async (exitCode = 0) => {
    if (closing) return;
    closing = true;
    await Promise.race([service.idle(), new Promise((resolve) => setTimeout(resolve, drainMs))]);
    await handle.close().catch(() => undefined);
    await service.close().catch(() => undefined);
    await beforeExit?.().catch(() => undefined);
    process.exit(exitCode);
  };

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

  const handle = serveStdioEntry(
    () => {
      setTimeout(() => service.warmUp(), WARM_UP_FALLBACK_MS).unref();
      return createMcpServer(service);
    },
    {
      transport,
      onerror: (error) =>
        logger.debug({ name: error.name, reason: error.message }, "stdio: refused"),
    },
  );
  const { label, provider } = service.connection;
  logger.info(
    { connection: label, provider },
    `sms-mcp serving ${label} on stdio: an MCP host writes to its stdin and reads its stdout; Ctrl-C stops it`,
  );
}
