import { configPath } from "../../config/paths.js";
import { resolveConnection } from "../../config/resolveConnection.js";
import { KeytarSecretStore } from "../../config/secretStore.js";
import { createLogger } from "../../log/logger.js";
import { buildSmsService } from "../../server/buildSmsService.js";
import { serveStdio } from "../../server/stdio.js";
import { CliError } from "../errors.js";

export interface ServeOptions {
  transport: "stdio" | "http";
  connection?: string;
  dryRun?: boolean;
  host: string;
  port: string;
}

export async function serveCommand(options: ServeOptions): Promise<void> {
  if (options.transport === "http") {
    throw new CliError(
      "the http transport is not available in this version yet; use --transport stdio",
      2,
    );
  }
  const logger = createLogger();
  const connection = await resolveConnection({
    wanted: options.connection,
    env: process.env,
    configPath: configPath(),
    secrets: new KeytarSecretStore(),
  });
  const service = buildSmsService(connection, logger, { dryRun: options.dryRun === true });
  await serveStdio(service, logger);
}
