import type { GuardrailSettings } from "../../sms/guardrails/settings.js";
import type { SenderPool } from "../../sms/ports/provider.js";
import { senderKindOf } from "../../sms/sender.js";
import type { CliContext } from "../context.js";
import { CliError, problemOf } from "../errors.js";
import {
  listedPool,
  listSenderPools,
  openProvider,
  poolOf,
  poolProblem,
  poolReadiness,
  verifyAndListNumbers,
} from "../providerSession.js";
import { resolveForCli } from "../resolveForCli.js";

/**
 * Verifies the credentials, and that the default sender (and messaging profile) can send.
 * With `--json`, one JSON object on stdout either way: `{ok: true, …}`, or `{ok: false,
 * problem}` with the same exit code and stderr line as without it.
 */
export async function checkCommand(
  wanted: string | undefined,
  options: { json?: boolean },
  context: CliContext,
) {
  try {
    const result = await check(wanted, context);
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ ok: true, ...result })}\n`
        : `ok: ${result.summary}\n${result.rules.map((rule) => `  ${rule}\n`).join("")}`,
    );
  } catch (error) {
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ok: false, problem: problemOf(error) })}\n`);
    }
    throw error;
  }
}

async function check(wanted: string | undefined, context: CliContext) {
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
  const defaultPool = poolOf(defaultFrom, connection.provider);
  const needsPools = defaultPool !== undefined || messagingProfileId !== undefined;
  const pools = needsPools ? await listSenderPools(provider) : undefined;
  if (needsPools && pools === undefined) {
    throw new CliError(
      `"${label}": credentials accepted, but the account's messaging services / Powerpacks / profiles could not be listed to check ${defaultFrom}`,
    );
  }
  const notes: string[] = [];
  /** The pool must be on the account, and able to send; true when the provider says it can. */
  const checkPool = async (wanted: SenderPool): Promise<boolean> => {
    const problem = poolProblem(wanted.id, wanted.kind, pools);
    if (problem) throw new CliError(`"${label}": credentials accepted, but ${problem}`);
    const readiness = await poolReadiness(provider, listedPool(wanted, pools));
    if (readiness.problem) {
      throw new CliError(`"${label}": credentials accepted, but ${readiness.problem}`);
    }
    if (readiness.note) notes.push(readiness.note);
    return readiness.ready === true;
  };
  const defaultReady = defaultPool ? await checkPool(defaultPool) : false;
  if (kind === "number" && !numbers.includes(defaultFrom)) {
    throw new CliError(
      `"${label}": credentials accepted, but ${defaultFrom} is not an SMS-capable number on the account`,
    );
  }
  if (messagingProfileId !== undefined) {
    await checkPool({ kind: "messaging_profile", id: messagingProfileId });
  }
  const what =
    kind === "alphanumeric"
      ? `the alphanumeric sender ID "${defaultFrom}" is set (carriers decide where it is delivered; it cannot be checked ahead)`
      : kind === "number"
        ? `${defaultFrom} can send SMS`
        : `${defaultFrom} is a ${kind === "powerpack" ? "Powerpack" : "Messaging Service"} on the account${
            defaultReady ? ` with ${kind === "powerpack" ? "numbers" : "senders"} in its pool` : ""
          }`;
  const profile = messagingProfileId ? `, through messaging profile ${messagingProfileId}` : "";
  const unchecked = notes.length ? ` (${notes.join("; ")})` : "";
  return {
    connection: label,
    provider: connection.provider,
    defaultFrom,
    senderKind: kind,
    messagingProfileId: messagingProfileId ?? null,
    notes,
    rules: contentRules(connection.guardrails),
    summary: `"${label}": credentials accepted; ${what}${profile}${unchecked}`,
  };
}

/** What the connection lets a text say and when, one line each (the rest: `guardrails`). */
function contentRules({
  templates,
  templatesOnly,
  allowedLinkDomains,
  quietHours,
}: GuardrailSettings): string[] {
  const names = templates.map((t) => t.name).join(", ");
  return [
    templates.length === 0
      ? "templates: none (any wording)"
      : `templates: ${names} (${templatesOnly ? "only these may be sent" : "other texts may be sent too"})`,
    allowedLinkDomains === undefined
      ? "links: any host (carriers may filter links)"
      : allowedLinkDomains.length === 0
        ? "links: none allowed"
        : `links: only to ${allowedLinkDomains.join(", ")} and their subdomains`,
    quietHours
      ? `quiet hours: ${quietHours.start}-${quietHours.end} in the recipient's local time`
      : "quiet hours: none (any hour)",
  ];
}
