import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeSmsService } from "../../src/cli/compose.js";
import { createCliContext } from "../../src/cli/context.js";
import { resolveForCli } from "../../src/cli/resolveForCli.js";
import { createLogger } from "../../src/log/logger.js";
import {
  type HttpServerOptions,
  type RunningHttpServer,
  startHttpServer,
} from "../../src/server/http/httpServer.js";
import type { Simulator } from "../../src/simulator/simulator.js";
import { providerEnv } from "./simulatorEnv.js";

export interface InProcessHttp {
  server: RunningHttpServer;
  /** Closes the server (draining), then removes its ledger and audit log. */
  close(): Promise<void>;
}

/**
 * The HTTP server in this process on a free loopback port, serving the simulator's Twilio
 * account as `serve` composes it (env mode), with its ledger and audit log in a new folder.
 */
export async function startInProcessHttp(
  sim: Simulator,
  options: Partial<Omit<HttpServerOptions, "service" | "logger">> = {},
  env: Record<string, string> = {},
): Promise<InProcessHttp> {
  const dir = await mkdtemp(join(tmpdir(), "sms-mcp-http-"));
  const context = createCliContext({
    ...providerEnv(sim, "twilio"),
    SMS_MCP_AUDIT_LOG: join(dir, "audit.log"),
    SMS_MCP_STATE_DIR: join(dir, "state"),
    ...env,
  });
  const connection = await resolveForCli(undefined, context);
  const logger = createLogger("warn");
  const service = await composeSmsService(connection, context, logger);
  const server = await startHttpServer({ host: "127.0.0.1", port: 0, ...options, service, logger });
  return {
    server,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
