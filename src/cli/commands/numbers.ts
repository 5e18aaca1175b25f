import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { openProvider, verifyAndListNumbers } from "../providerSession.js";
import { resolveForCli } from "../resolveForCli.js";

export async function numbersCommand(
  wanted: string | undefined,
  options: { json?: boolean },
  context: CliContext,
) {
  const connection = await resolveForCli(wanted, context);
  const provider = await openProvider(
    await connection.loadCredentials(),
    connection.apiBaseUrl,
    context,
  );
  const numbers = await verifyAndListNumbers(provider, connection, context);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(numbers.map((n) => n.number))}\n`);
    return;
  }
  if (numbers.length === 0) throw new CliError(`"${connection.label}" has no SMS-capable number`);
  for (const n of numbers) {
    process.stdout.write(
      `${n.number}${n.number === connection.defaultFrom ? "  (default)" : ""}\n`,
    );
  }
}
