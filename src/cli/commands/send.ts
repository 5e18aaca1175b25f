import { createLogger } from "../../log/logger.js";
import { buildSmsService } from "../../server/buildSmsService.js";
import { toToolResult } from "../../server/toolResult.js";
import { resolveForCli } from "../resolveForCli.js";

export interface SendOptions {
  to: string;
  message: string;
  from?: string;
  connection?: string;
}

/** Exactly the tool's path and answer, for a person at a terminal. */
export async function sendCommand(options: SendOptions) {
  const connection = await resolveForCli(options.connection);
  const service = buildSmsService(
    connection,
    createLogger(process.env.SMS_MCP_LOG_LEVEL ?? "warn"),
  );
  const args: Record<string, string> = { to_: options.to, message: options.message };
  if (options.from !== undefined) args.from_ = options.from;
  const result = toToolResult(await service.send(args));
  for (const block of result.content) {
    if (block.type === "text") process.stdout.write(`${block.text}\n`);
  }
  if (result.isError) process.exitCode = 1;
}
