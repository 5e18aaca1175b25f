import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { openProvider, verifyAndListNumbers } from "../providerSession.js";
import { resolveForCli } from "../resolveForCli.js";

export async function checkCommand(wanted: string | undefined, context: CliContext) {
  const connection = await resolveForCli(wanted, context);
  const provider = await openProvider(
    await connection.loadCredentials(),
    connection.apiBaseUrl,
    context,
  );
  const numbers = (await verifyAndListNumbers(provider, connection, context)).map((n) => n.number);
  if (!connection.defaultFrom) {
    throw new CliError(`"${connection.label}": credentials accepted, but no default sender is set`);
  }
  if (!numbers.includes(connection.defaultFrom)) {
    throw new CliError(
      `"${connection.label}": credentials accepted, but ${connection.defaultFrom} is not an SMS-capable number on the account`,
    );
  }
  process.stdout.write(
    `ok: "${connection.label}": credentials accepted; ${connection.defaultFrom} can send SMS\n`,
  );
}
