import { SmsError } from "../sms/errors.js";
import type { ProviderCredentials, SmsProvider } from "../sms/ports/provider.js";
import { PROVIDER_TITLES, type ProviderName } from "../sms/providerNames.js";
import { Lazy } from "../util/lazy.js";
import { createProvider } from "./createProvider.js";
import { type ProviderMethod, providerOf } from "./decorate.js";
import type { ProviderOptions } from "./types.js";

export interface LazyProviderOptions extends Omit<ProviderOptions, "credentials"> {
  name: ProviderName;
  /**
   * Reads the secret (keychain or environment) on first use. An SmsError it throws reaches the
   * model as it is; anything else as "the credentials could not be read".
   */
  loadCredentials: () => Promise<ProviderCredentials>;
}

/**
 * Why an optional method the adapter does not offer cannot answer. A status callback such a
 * connection cannot verify is answered undefined instead: not genuine.
 */
const NOT_OFFERED: Record<
  Exclude<ProviderMethod, "send" | "listSenders" | "verify" | "prepare" | "readStatusCallback">,
  string
> = {
  findSent: "cannot list recent messages",
  messageStatus: "cannot report a message's status",
  listSenderPools: "cannot list sender pools",
  senderPoolState: "cannot tell whether a sender pool can send",
};

/**
 * A provider that loads its SDK and credentials on first use, so a host's launch pays for
 * neither; every method of the port is there, and reaches the real adapter (through its
 * answer checks and deadline, see `createProvider`). A failed start (a locked keychain, say) is
 * not kept: the next call tries again. The MCP server and the CLI reach providers this way.
 */
export function lazyProvider(options: LazyProviderOptions): SmsProvider {
  const real = new Lazy(async () => {
    let credentials: ProviderCredentials;
    try {
      credentials = await options.loadCredentials();
    } catch (error) {
      if (error instanceof SmsError) throw error;
      throw new SmsError({
        category: "configuration",
        reason: "the connection's credentials could not be read",
        retryable: false,
        certainlyNotSent: true,
      });
    }
    const { name: _name, loadCredentials: _load, ...providerOptions } = options;
    return createProvider({ ...providerOptions, credentials });
  });
  return providerOf(options.name, async (method, args) => {
    const provider = real.value ?? (await real.get());
    if (method === "prepare") return undefined as never;
    const own = provider[method] as ((...args: unknown[]) => Promise<never>) | undefined;
    if (own) return own.apply(provider, args);
    if (method === "readStatusCallback") return undefined as never;
    throw new SmsError({
      category: "unknown",
      reason: `${PROVIDER_TITLES[provider.name]} ${NOT_OFFERED[method as keyof typeof NOT_OFFERED]}`,
      retryable: false,
    });
  });
}
