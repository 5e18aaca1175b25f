import { senderKindOf } from "../../sms/sender.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import {
  listSenderPools,
  openProvider,
  poolProblem,
  verifyAndListNumbers,
} from "../providerSession.js";
import { resolveForCli } from "../resolveForCli.js";

/** Verifies the credentials, and that the default sender (and messaging profile) can send. */
export async function checkCommand(wanted: string | undefined, context: CliContext) {
  const connection = await resolveForCli(wanted, context);
  const provider = await openProvider(
    await connection.loadCredentials(),
    connection.apiBaseUrl,
    context,
  );
  const numbers = (await verifyAndListNumbers(provider, connection, context)).map((n) => n.number);
  const { label, defaultFrom, messagingProfileId } = connection;
  if (!defaultFrom) {
    throw new CliError(`"${label}": credentials accepted, but no default sender is set`);
  }
  const kind = senderKindOf(defaultFrom, connection.provider);
  const needsPools =
    kind === "messaging_service" || kind === "powerpack" || messagingProfileId !== undefined;
  const pools = needsPools ? await listSenderPools(provider) : undefined;
  if (needsPools && pools === undefined) {
    throw new CliError(
      `"${label}": credentials accepted, but the account's messaging services / Powerpacks / profiles could not be listed to check ${defaultFrom}`,
    );
  }
  if (kind === "messaging_service" || kind === "powerpack") {
    const problem = poolProblem(defaultFrom, kind, pools);
    if (problem) throw new CliError(`"${label}": credentials accepted, but ${problem}`);
  } else if (kind === "number" && !numbers.includes(defaultFrom)) {
    throw new CliError(
      `"${label}": credentials accepted, but ${defaultFrom} is not an SMS-capable number on the account`,
    );
  }
  if (messagingProfileId !== undefined) {
    const problem = poolProblem(messagingProfileId, "messaging_profile", pools);
    if (problem) throw new CliError(`"${label}": credentials accepted, but ${problem}`);
  }
  const what =
    kind === "alphanumeric"
      ? `the alphanumeric sender ID "${defaultFrom}" is set (carriers decide where it is delivered; it cannot be checked ahead)`
      : kind === "number"
        ? `${defaultFrom} can send SMS`
        : `${defaultFrom} is a ${kind === "powerpack" ? "Powerpack" : "Messaging Service"} on the account`;
  const profile = messagingProfileId ? `, through messaging profile ${messagingProfileId}` : "";
  process.stdout.write(`ok: "${label}": credentials accepted; ${what}${profile}\n`);
}
