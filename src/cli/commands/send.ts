import { openLogger } from "../../log/logger.js";
import { toToolResult } from "../../server/toolResult.js";
import { PROVIDER_TITLES } from "../../sms/providerNames.js";
import type { SendDetails, SendOutcome } from "../../sms/sendResult.js";
import { composeSmsService } from "../compose.js";
import type { CliContext } from "../context.js";
import { resolveForCli } from "../resolveForCli.js";

export interface SendOptions {
  to: string;
  message: string;
  from?: string;
  connection?: string;
  /** Run every check and record the attempt, but send nothing. Default: the connection's. */
  dryRun?: boolean;
  /** Print the tool's structuredContent as one JSON line instead of sentences. */
  json?: boolean;
}

/** A terminal that waits longer than this for the provider is told what it is waiting for. */
const PROGRESS_AFTER_MS = 1000;

function describeSent(details: SendDetails): string {
  const parts = [
    details.messageId ? `message ${details.messageId}` : undefined,
    details.duplicateOf ? `same as message ${details.duplicateOf}, not sent again` : undefined,
    details.segments
      ? `${details.segments} segment${details.segments === 1 ? "" : "s"} (${details.encoding})`
      : undefined,
    details.from ? `from ${details.from}` : undefined,
    details.to ? `to ${details.to}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.join(", ");
}

/** A line on stderr while the provider takes its time; erased when the answer comes. */
function progressLine(text: string): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  let shown = false;
  const timer = setTimeout(() => {
    shown = true;
    process.stderr.write(text);
  }, PROGRESS_AFTER_MS);
  return () => {
    clearTimeout(timer);
    if (shown) process.stderr.write("\r\x1b[2K");
  };
}

function print(outcome: SendOutcome, json: boolean): void {
  const result = toToolResult(outcome);
  if (json) {
    process.stdout.write(`${JSON.stringify(result.structuredContent)}\n`);
    return;
  }
  const [answer, second] = result.content.map((block) => (block.type === "text" ? block.text : ""));
  if (!outcome.ok) {
    process.stderr.write(`${answer}: ${outcome.reason}\n`);
    return;
  }
  process.stdout.write(`${answer}\n`);
  if (outcome.details.status === "dry_run") process.stdout.write(`${second}\n`);
  const described = describeSent(outcome.details);
  if (described) process.stdout.write(`${described}\n`);
  for (const note of outcome.details.notes ?? []) process.stdout.write(`note: ${note}\n`);
}

/**
 * Exactly the tool's path, for a person at a terminal: success on stdout, a failure as one
 * line on stderr and exit code 1.
 */
export async function sendCommand(options: SendOptions, context: CliContext) {
  const connection = await resolveForCli(options.connection, context);
  // The answer itself says why a send failed; the log adds only real errors unless asked.
  const logger = await openLogger(
    context.environment.logLevel ?? "error",
    context.environment.logFormat,
  );
  const service = await composeSmsService(connection, context, logger, {
    dryRun: options.dryRun === true,
  });
  const args: Record<string, string> = { to_: options.to, message: options.message };
  if (options.from !== undefined) args.from_ = options.from;
  const stopProgress = progressLine(
    `Sending through ${PROVIDER_TITLES[connection.provider]} ("${connection.label}")…`,
  );
  let outcome: SendOutcome;
  try {
    outcome = await service.send(args);
  } finally {
    stopProgress();
    // The ledger's record of how the send ended may still be on its way (the answer does not
    // wait for it): closing first would drop it, and leave the text held as unconfirmed.
    await service.idle();
    await service.close();
  }
  print(outcome, options.json === true);
  if (!outcome.ok) process.exitCode = 1;
}
