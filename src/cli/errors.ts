import { ConfigError } from "../config/configError.js";
import { KeychainUnavailableError } from "../config/secretStore.js";
import { ListenError, UnsafeBindError } from "../server/http/security.js";
import { SmsError } from "../sms/errors.js";

/** An error whose message is written for the person at the terminal. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Whether an error's message was written for the person (any other's may carry internals). */
function isKnown(error: unknown): error is Error {
  return (
    error instanceof CliError ||
    error instanceof ConfigError ||
    error instanceof KeychainUnavailableError ||
    error instanceof SmsError ||
    error instanceof UnsafeBindError ||
    error instanceof ListenError
  );
}

/** What the person is told of an error: its own words when they were written for them. */
export function problemOf(error: unknown): string {
  return isKnown(error) ? error.message : "unexpected error";
}

/** One line on stderr (a stack only with --debug); returns the exit code. */
export function reportError(error: unknown, debug: boolean): number {
  const known = isKnown(error);
  process.stderr.write(`sms-mcp: ${problemOf(error)}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else if (!known) process.stderr.write("run again with --debug for details\n");
  return error instanceof CliError ? error.exitCode : 1;
}
