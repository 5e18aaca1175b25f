import { SmsError } from "../sms/errors.js";
import type { ProviderCredentials, SmsProvider } from "../sms/ports/provider.js";
import type { ProviderName } from "../sms/providerNames.js";
import { Lazy } from "../util/lazy.js";
import { createProvider } from "./createProvider.js";
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
 * A provider that loads its SDK and credentials on first use, so a host's launch pays for
 * neither. A failed start (a locked keychain, say) is not kept: the next send tries again.
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
  return {
    name: options.name,
    send: async (message) => (real.value ?? (await real.get())).send(message),
    listSenders: async () => (await real.get()).listSenders(),
    verify: async () => (await real.get()).verify(),
    prepare: async () => {
      await real.get();
    },
    findSent: async (lookup) => {
      const provider = await real.get();
      if (!provider.findSent) {
        throw new SmsError({
          category: "unknown",
          reason: `${provider.name} cannot list recent messages`,
          retryable: false,
        });
      }
      return provider.findSent(lookup);
    },
    // Verifying a callback needs the credentials (the signing secret) and the SDK's verifier.
    readStatusCallback: async (callback) => {
      const provider = await real.get();
      return provider.readStatusCallback ? provider.readStatusCallback(callback) : undefined;
    },
  };
}
