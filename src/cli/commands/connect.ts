import type { NewConnection } from "../../config/connectionStore.js";
import { upsertConnection } from "../../config/connectionStore.js";
import { idProblem, secretName, secretProblem } from "../../config/credentialShapes.js";
import { credentialsFor } from "../../config/resolveConnection.js";
import { checkE164 } from "../../sms/phone.js";
import type { SenderPool, SmsProvider } from "../../sms/ports/provider.js";
import { isProviderName, PROVIDER_TITLES, type ProviderName } from "../../sms/providerNames.js";
import { senderKindOf, senderProblem, UUID_SHAPE } from "../../sms/sender.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { firstLineOfStdin, interactive, prompts } from "../input.js";
import {
  describePool,
  listedPool,
  listSenderPools,
  openProvider,
  poolOf,
  poolProblem,
  poolReadiness,
  verifyAndListNumbers,
} from "../providerSession.js";

export interface ConnectOptions {
  label?: string;
  accountSid?: string;
  apiKeySid?: string;
  authId?: string;
  defaultFrom?: string;
  /** Telnyx: the messaging profile to send through. */
  messagingProfileId?: string;
  /** Alphanumeric sender IDs (or other senders) a call's from_ may name; repeatable. */
  sender?: string[];
  apiBaseUrl?: string;
  verify: boolean;
}

/**
 * The flag's value, or on a terminal the person's answer; an answer `problem` finds fault
 * with is asked again, with the reason, as `gh` does (a flag's value is checked by the caller).
 */
async function ask(
  question: string,
  current: string | undefined,
  flag: string,
  problem: (answer: string) => string | undefined = () => undefined,
): Promise<string> {
  if (current !== undefined) return current;
  if (!interactive()) throw new CliError(`${flag} is required when not on a terminal`, 2);
  const { input } = await prompts();
  const answer = await input({
    message: question,
    required: true,
    validate: (value) => problem(value.trim()) ?? true,
  });
  return answer.trim();
}

async function readSecret(provider: ProviderName, apiKey: boolean): Promise<string> {
  const name = `${PROVIDER_TITLES[provider]} ${secretName(provider, apiKey)}`;
  if (interactive()) {
    const { password } = await prompts();
    const answer = await password({
      message: `${name} (hidden):`,
      validate: (value) => secretProblem(provider, value.trim()) ?? true,
    });
    return answer.trim();
  }
  const line = (await firstLineOfStdin()).trim();
  if (line === "") throw new CliError(`no ${name}: pass it as the first line of stdin`, 2);
  return line;
}

function checkOrigin(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new CliError(`--api-base-url must be an http(s) origin such as http://127.0.0.1:4010`, 2);
  }
  return new URL(url).origin;
}

async function chooseDefault(
  provider: ProviderName,
  numbers: string[],
  pools: SenderPool[] | undefined,
  wanted: string | undefined,
  verified: boolean,
) {
  // A Messaging Service or a Powerpack is checked against the account's; an alphanumeric ID
  // cannot be checked (carriers decide where it is accepted).
  const kind = wanted === undefined ? "number" : senderKindOf(wanted, provider);
  if (wanted !== undefined && kind !== "number") {
    const problem =
      verified && (kind === "messaging_service" || kind === "powerpack")
        ? poolProblem(wanted, kind, pools)
        : undefined;
    if (problem) throw new CliError(problem);
    return wanted;
  }
  if (wanted !== undefined) {
    const check = checkE164(wanted, "sender");
    if (!check.ok) throw new CliError(`--default-from: ${check.reason}`, 2);
    if (verified && !numbers.includes(check.e164)) {
      throw new CliError(
        `${check.e164} is not an SMS-capable number on this account; choose one of ${numbers.join(", ") || "(none)"}`,
      );
    }
    return check.e164;
  }
  if (!verified) return undefined;
  // Telnyx profiles are not senders on their own (--messaging-profile-id goes with a number).
  const sendingPools = (pools ?? []).filter((p) => p.kind !== "messaging_profile");
  if (numbers.length === 0 && sendingPools.length === 0) {
    throw new CliError(
      "the account has no SMS-capable number; buy or enable one, then connect again",
    );
  }
  // A script gets the account's one number, as before; a person at a terminal is offered its
  // Messaging Services or Powerpacks beside it.
  const onlyOne = numbers.length === 1 && (sendingPools.length === 0 || !interactive());
  if (onlyOne) return numbers[0];
  if (numbers.length === 0 && sendingPools.length === 1) return sendingPools[0]?.id;
  if (!interactive()) {
    throw new CliError(
      `--default-from is required: the account has ${numbers.length} SMS-capable numbers (${numbers.join(", ")})${
        pools?.length ? ` and ${pools.map(describePool).join(", ")}` : ""
      }`,
      2,
    );
  }
  const { select } = await prompts();
  return select({
    message: "Default sender:",
    choices: [
      ...numbers.map((n) => ({ name: n, value: n })),
      ...sendingPools.map((p) => ({ name: describePool(p), value: p.id })),
    ],
  });
}

/**
 * On a terminal, a Telnyx account's messaging profiles are offered when none was named: a
 * profile is what an alphanumeric sender and Telnyx's number pool send through.
 */
async function chooseMessagingProfile(
  provider: ProviderName,
  pools: SenderPool[] | undefined,
): Promise<string | undefined> {
  const profiles = (pools ?? []).filter((p) => p.kind === "messaging_profile");
  if (provider !== "telnyx" || profiles.length === 0 || !interactive()) return undefined;
  const { select } = await prompts();
  const picked = await select({
    message: "Messaging profile (for alphanumeric senders and number pools):",
    choices: [
      { name: "none: send from the number alone", value: "" },
      ...profiles.map((p) => ({ name: describePool(p), value: p.id })),
    ],
  });
  return picked === "" ? undefined : picked;
}

export async function connectCommand(
  providerArg: string,
  options: ConnectOptions,
  context: CliContext,
) {
  // Provider names are matched in any case: `connect Twilio` is `connect twilio`.
  const provider = providerArg.toLowerCase();
  if (!isProviderName(provider)) {
    throw new CliError(`unknown provider "${providerArg}": choose twilio, plivo or telnyx`, 2);
  }
  const apiBaseUrl = checkOrigin(options.apiBaseUrl);
  const label = await ask("Connection label (e.g. Twilio - Sales):", options.label, "--label");
  const ids = {
    accountSid:
      provider === "twilio"
        ? await ask("Twilio Account SID (AC…):", options.accountSid, "--account-sid", (sid) =>
            idProblem("twilio", { accountSid: sid }),
          )
        : undefined,
    apiKeySid: provider === "twilio" ? options.apiKeySid : undefined,
    authId:
      provider === "plivo"
        ? await ask("Plivo Auth ID:", options.authId, "--auth-id", (id) =>
            idProblem("plivo", { authId: id }),
          )
        : undefined,
  };
  const shape = idProblem(provider, ids);
  if (shape) throw new CliError(shape, 2);

  const secret = await readSecret(provider, ids.apiKeySid !== undefined);
  const secretShape = secretProblem(provider, secret);
  if (secretShape) throw new CliError(secretShape, 2);

  for (const sender of [options.defaultFrom, ...(options.sender ?? [])]) {
    const problem = sender === undefined ? undefined : senderProblem(sender, provider);
    if (problem) throw new CliError(problem, 2);
  }
  if (options.messagingProfileId !== undefined && provider !== "telnyx") {
    throw new CliError("--messaging-profile-id is for Telnyx connections", 2);
  }
  if (options.messagingProfileId !== undefined && !UUID_SHAPE.test(options.messagingProfileId)) {
    throw new CliError("--messaging-profile-id must be a Telnyx messaging profile id (a UUID)", 2);
  }
  const draft: NewConnection = {
    label,
    provider,
    ...ids,
    apiBaseUrl,
    ...(options.messagingProfileId ? { messagingProfileId: options.messagingProfileId } : {}),
    ...(options.sender?.length ? { senders: [...new Set(options.sender)] } : {}),
  };
  let numbers: string[] = [];
  let pools: SenderPool[] | undefined;
  let adapter: SmsProvider | undefined;
  if (options.verify) {
    adapter = await openProvider(
      credentialsFor({ ...draft, id: "draft" }, secret),
      apiBaseUrl,
      context,
    );
    numbers = (await verifyAndListNumbers(adapter, draft, context)).map((n) => n.number);
    pools = await listSenderPools(adapter);
    const profileProblem =
      options.messagingProfileId === undefined
        ? undefined
        : poolProblem(options.messagingProfileId, "messaging_profile", pools);
    if (profileProblem) throw new CliError(profileProblem);
    if (options.messagingProfileId === undefined) {
      const picked = await chooseMessagingProfile(provider, pools);
      if (picked) draft.messagingProfileId = picked;
    }
  }
  const defaultFrom = await chooseDefault(
    provider,
    numbers,
    pools,
    options.defaultFrom,
    options.verify,
  );

  // A pool that exists but cannot send yet is connected all the same, with a warning: its
  // owner may be adding numbers to it right now.
  const warnings: string[] = [];
  if (adapter) {
    const used: SenderPool[] = [];
    const defaultPool = defaultFrom ? poolOf(defaultFrom, provider) : undefined;
    if (defaultPool) used.push(defaultPool);
    if (draft.messagingProfileId) {
      used.push({ kind: "messaging_profile", id: draft.messagingProfileId });
    }
    for (const wanted of used) {
      const { problem } = await poolReadiness(adapter, listedPool(wanted, pools));
      if (problem) warnings.push(`warning: ${problem}; sends through it fail until then`);
    }
  }

  const { connection, updated } = await upsertConnection(
    context.environment.configPath,
    context.secrets,
    { ...draft, defaultFrom },
    secret,
  );
  process.stdout.write(
    `${updated ? "Updated" : "Connected"} "${connection.label}" (${connection.id}): ${PROVIDER_TITLES[provider]}${
      defaultFrom ? `, sending from ${defaultFrom}` : ""
    }${options.verify ? "" : " (not verified)"}. The secret is in the OS keychain.\n`,
  );
  for (const warning of warnings) process.stderr.write(`${warning}\n`);
}
