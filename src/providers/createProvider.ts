import type { SmsProvider } from "../sms/ports/provider.js";
import { withDeadline } from "./deadline.js";
import type { ProviderOptions } from "./types.js";
import { withCheckedAnswers } from "./untrusted.js";

/**
 * Imports only the SDK of the provider in use (each is large, and a host launch needs none),
 * bounds each of its calls by the timeout, start to finish, and checks every answer.
 */
export async function createProvider(options: ProviderOptions): Promise<SmsProvider> {
  const adapter = withCheckedAnswers(
    await createAdapter(options),
    options.onUntrusted ?? (() => {}),
  );
  return withDeadline(adapter, options.timeoutMs);
}

async function createAdapter(options: ProviderOptions): Promise<SmsProvider> {
  const { credentials } = options;
  switch (credentials.provider) {
    case "twilio": {
      const { createTwilioProvider } = await import("./twilio.js");
      return createTwilioProvider(credentials, options);
    }
    case "plivo": {
      const { createPlivoProvider } = await import("./plivo.js");
      return createPlivoProvider(credentials, options);
    }
    case "telnyx": {
      const { createTelnyxProvider } = await import("./telnyx.js");
      return createTelnyxProvider(credentials, options);
    }
  }
}
