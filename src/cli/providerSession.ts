import type { ConnectionConfig } from "../config/schema.js";
import { lazyProvider } from "../providers/lazyProvider.js";
import { PROVIDER_API_ORIGINS } from "../providers/origins.js";
import { SmsError } from "../sms/errors.js";
import type {
  ProviderCredentials,
  SenderNumber,
  SenderPool,
  SmsProvider,
} from "../sms/ports/provider.js";
import { PROVIDER_TITLES, type ProviderName } from "../sms/providerNames.js";
import { senderKindOf } from "../sms/sender.js";
import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";

/** Says which credentials were rejected, in the provider's own words for them. */
export function rejectedCredentials(connection: Pick<ConnectionConfig, "provider" | "apiKeySid">) {
  const title = PROVIDER_TITLES[connection.provider];
  const what =
    connection.provider === "twilio"
      ? connection.apiKeySid
        ? "API key SID / secret"
        : "Account SID / auth token"
      : connection.provider === "plivo"
        ? "Auth ID / auth token"
        : "API key";
  return `${title} rejected the ${what}`;
}

/**
 * The provider for a command, reached as the server reaches it (`lazyProvider`: the adapter,
 * its answer checks and its deadline), with credentials already read.
 */
export async function openProvider(
  credentials: ProviderCredentials,
  apiBaseUrl: string | undefined,
  { environment }: CliContext,
): Promise<SmsProvider> {
  return lazyProvider({
    name: credentials.provider,
    loadCredentials: async () => credentials,
    apiBaseUrl,
    timeoutMs: environment.timeoutMs,
  });
}

/** The connection a provider call was made for, to name it when the call fails. */
export interface ProviderCallSite extends Pick<ConnectionConfig, "provider" | "apiKeySid"> {
  label?: string | undefined;
  apiBaseUrl?: string | undefined;
}

/**
 * A provider that could not be reached, in words for an operation that sends nothing: the
 * send path's own sentences speak of a message that may have gone out.
 */
function unreachable(error: SmsError, site: ProviderCallSite, timeoutMs: number): CliError {
  const title = PROVIDER_TITLES[site.provider];
  const origin = site.apiBaseUrl ?? PROVIDER_API_ORIGINS[site.provider];
  const connection = site.label ? ` for "${site.label}"` : "";
  const why = error.safeToResend
    ? "the connection was refused"
    : /internal error/.test(error.reason)
      ? `it answered with a server error${error.providerCode ? ` (${error.providerCode})` : ""}`
      : `no answer within ${timeoutMs / 1000} s, or the connection broke`;
  return new CliError(
    `could not reach ${title} at ${origin}${connection}: ${why}; check the network (or the connection's apiBaseUrl) and try again`,
  );
}

/**
 * One provider call of a command that sends nothing, its failure as one line for the person:
 * rejected credentials, an unreachable provider (named with its origin), or the provider's
 * reason, passed through `describe` when the command words it itself.
 */
export async function askProvider<T>(
  site: ProviderCallSite,
  { environment }: CliContext,
  work: () => Promise<T>,
  describe: (reason: string) => string = (reason) => reason,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SmsError && error.category === "authentication") {
      throw new CliError(rejectedCredentials(site));
    }
    if (error instanceof SmsError && error.category === "provider_unavailable") {
      throw unreachable(error, site, environment.timeoutMs);
    }
    if (error instanceof SmsError) throw new CliError(describe(error.reason));
    throw error;
  }
}

/** Verifies credentials and lists SMS-capable numbers, turning provider errors into one line. */
export function verifyAndListNumbers(
  provider: SmsProvider,
  site: ProviderCallSite,
  context: CliContext,
): Promise<SenderNumber[]> {
  return askProvider(site, context, async () => {
    await provider.verify();
    return (await provider.listSenders()).filter((n) => n.sms);
  });
}

/**
 * The account's messaging services / Powerpacks / messaging profiles, or undefined when the
 * provider would not list them (an API key without that permission): connecting still works.
 */
export async function listSenderPools(provider: SmsProvider): Promise<SenderPool[] | undefined> {
  try {
    return await provider.listSenderPools?.();
  } catch {
    return undefined;
  }
}

const POOL_NAMES: Record<SenderPool["kind"], string> = {
  messaging_service: "Messaging Service",
  powerpack: "Powerpack",
  messaging_profile: "messaging profile",
};

/** A pool as a person picks it: its id and, when it has one, its name. */
export function describePool(pool: SenderPool): string {
  return `${pool.id} (${POOL_NAMES[pool.kind]}${pool.name ? ` "${pool.name}"` : ""})`;
}

/** Why `id` cannot be used as a pool of `kind` on this account, or undefined when it can. */
export function poolProblem(
  id: string,
  kind: SenderPool["kind"],
  pools: SenderPool[] | undefined,
): string | undefined {
  if (pools === undefined) return undefined;
  const same = pools.filter((p) => p.kind === kind);
  if (same.some((p) => p.id === id)) return undefined;
  return `${id} is not a ${POOL_NAMES[kind]} on this account; choose one of ${same.map(describePool).join(", ") || "(none)"}`;
}

/** The pool a sender names when it is a Messaging Service or a Powerpack; else undefined. */
export function poolOf(sender: string, provider: ProviderName): SenderPool | undefined {
  const kind = senderKindOf(sender, provider);
  return kind === "messaging_service" || kind === "powerpack" ? { kind, id: sender } : undefined;
}

/** `wanted` as the account lists it (with its name), so a message names it as the person knows it. */
export function listedPool(wanted: SenderPool, pools: SenderPool[] | undefined): SenderPool {
  return pools?.find((p) => p.kind === wanted.kind && p.id === wanted.id) ?? wanted;
}

const NOT_SENDING: Record<SenderPool["kind"], string> = {
  messaging_service:
    "has nothing in its sender pool: add a phone number, short code or alphanumeric sender to it in the Twilio Console (Messaging > Services)",
  powerpack:
    "has no number in its number pool: add one to the Powerpack in the Plivo console (Messaging > Powerpack)",
  messaging_profile: "is disabled: enable it in the Telnyx Mission Control Portal (Messaging)",
};

/**
 * Whether `pool` can send now: `ready`, or `problem` when the provider says it cannot (an empty
 * pool, a disabled profile), or `note` when the provider could not say (a key without that
 * permission).
 */
export async function poolReadiness(
  provider: SmsProvider,
  pool: SenderPool,
): Promise<{ ready?: true; problem?: string; note?: string }> {
  if (!provider.senderPoolState) return {};
  try {
    const state = await provider.senderPoolState(pool);
    if (state === "ready") return { ready: true };
    return { problem: `${describePool(pool)} ${NOT_SENDING[pool.kind]}` };
  } catch {
    // The send path's reasons speak of a message; nothing was sent here.
    return { note: `its senders could not be listed, so whether ${pool.id} can send is not known` };
  }
}
