import { createLogger } from "../../log/logger.js";
import { toToolResult } from "../../server/toolResult.js";
import { composeSmsService } from "../compose.js";
import type { CliContext } from "../context.js";
import { resolveForCli } from "../resolveForCli.js";

export interface SendOptions {
  to: string;
  message: string;
  from?: string;
  connection?: string;
}

/** Exactly the tool's path and answer, for a person at a terminal. */
export async function sendCommand(options: SendOptions, context: CliContext) {
  const connection = await resolveForCli(options.connection, context);
  const logger = createLogger(context.environment.logLevel ?? "warn");
  const service = await composeSmsService(connection, context, logger);
  const args: Record<string, string> = { to_: options.to, message: options.message };
  if (options.from !== undefined) args.from_ = options.from;
  const result = toToolResult(await service.send(args));
  await service.close();
  for (const block of result.content) {
    if (block.type === "text") process.stdout.write(`${block.text}\n`);
  }
  if (result.isError) process.exitCode = 1;
}
