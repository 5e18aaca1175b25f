import type { ConnectionConfig } from "../config/schema.js";
import { createProvider } from "../providers/createProvider.js";
import { SmsError } from "../sms/errors.js";
import type { ProviderCredentials, SenderNumber, SmsProvider } from "../sms/ports/provider.js";
import { PROVIDER_TITLES } from "../sms/providerNames.js";
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

export async function openProvider(
  credentials: ProviderCredentials,
  apiBaseUrl: string | undefined,
  { environment }: CliContext,
): Promise<SmsProvider> {
  return createProvider({ credentials, apiBaseUrl, timeoutMs: environment.timeoutMs });
}

/** Verifies credentials and lists SMS-capable numbers, turning provider errors into one line. */
export async function verifyAndListNumbers(
  provider: SmsProvider,
  connection: Pick<ConnectionConfig, "provider" | "apiKeySid">,
): Promise<SenderNumber[]> {
  try {
    await provider.verify();
    return (await provider.listSenders()).filter((n) => n.sms);
  } catch (error) {
    if (error instanceof SmsError && error.category === "authentication") {
      throw new CliError(rejectedCredentials(connection));
    }
    if (error instanceof SmsError) throw new CliError(error.reason);
    throw error;
  }
}
