import type { SenderPool } from "../../sms/ports/provider.js";
import { senderKindOf } from "../../sms/sender.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import {
  listSenderPools,
  openProvider,
  poolProblem,
  poolReadiness,
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
  const notes: string[] = [];
  const ready = new Set<string>();
  /** The pool must be on the account, and able to send. */
  const checkPool = async (id: string, poolKind: SenderPool["kind"]) => {
    const problem = poolProblem(id, poolKind, pools);
    if (problem) throw new CliError(`"${label}": credentials accepted, but ${problem}`);
    const pool = pools?.find((p) => p.kind === poolKind && p.id === id) ?? { kind: poolKind, id };
    const readiness = await poolReadiness(provider, pool);
    if (readiness.problem) {
      throw new CliError(`"${label}": credentials accepted, but ${readiness.problem}`);
    }
    if (readiness.note) notes.push(readiness.note);
    if (readiness.ready) ready.add(id);
  };
  if (kind === "messaging_service" || kind === "powerpack") {
    await checkPool(defaultFrom, kind);
  } else if (kind === "number" && !numbers.includes(defaultFrom)) {
    throw new CliError(
      `"${label}": credentials accepted, but ${defaultFrom} is not an SMS-capable number on the account`,
    );
  }
  if (messagingProfileId !== undefined) await checkPool(messagingProfileId, "messaging_profile");
  const what =
    kind === "alphanumeric"
      ? `the alphanumeric sender ID "${defaultFrom}" is set (carriers decide where it is delivered; it cannot be checked ahead)`
      : kind === "number"
        ? `${defaultFrom} can send SMS`
        : `${defaultFrom} is a ${kind === "powerpack" ? "Powerpack" : "Messaging Service"} on the account${
            ready.has(defaultFrom)
              ? ` with ${kind === "powerpack" ? "numbers" : "senders"} in its pool`
              : ""
          }`;
  const profile = messagingProfileId ? `, through messaging profile ${messagingProfileId}` : "";
  const unchecked = notes.length ? ` (${notes.join("; ")})` : "";
  process.stdout.write(`ok: "${label}": credentials accepted; ${what}${profile}${unchecked}\n`);
}
