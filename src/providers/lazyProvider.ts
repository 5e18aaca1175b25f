import { SmsError } from "../sms/errors.js";
import { Lazy } from "../sms/lazy.js";
import type { ProviderCredentials, SmsProvider } from "../sms/ports/provider.js";
import type { ProviderName } from "../sms/providerNames.js";
import { createProvider } from "./createProvider.js";
import type { UntrustedReport } from "./untrusted.js";

export interface LazyProviderOptions {
  name: ProviderName;
  /**
   * Reads the secret (keychain or environment) on first use. An SmsError it throws reaches the
   * model as it is; anything else as "the credentials could not be read".
   */
  loadCredentials: () => Promise<ProviderCredentials>;
  apiBaseUrl: string | undefined;
  timeoutMs: number;
  /** Telnyx: the connection's messaging profile. Default: none. */
  messagingProfileId?: string | undefined;
  /** Told when an answer's field was outside its documented format and replaced. */
  onUntrusted?: UntrustedReport | undefined;
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
    return createProvider({
      credentials,
      apiBaseUrl: options.apiBaseUrl,
      timeoutMs: options.timeoutMs,
      messagingProfileId: options.messagingProfileId,
      onUntrusted: options.onUntrusted,
    });
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
  };
}
