import type { ProviderName } from "../sms/providerNames.js";

export interface ConnectionIds {
  accountSid?: string | undefined;
  apiKeySid?: string | undefined;
  authId?: string | undefined;
}

/**
 * Checks ids for shape before any network call, so a pasted typo gets a precise message
 * instead of a provider's 401. Returns the problem, or undefined when the shape is right.
 */
export function idProblem(provider: ProviderName, ids: ConnectionIds): string | undefined {
  switch (provider) {
    case "twilio":
      if (!ids.accountSid) return "Twilio needs --account-sid (it starts with AC)";
      if (!/^AC[0-9a-fA-F]{32}$/.test(ids.accountSid)) {
        return "the Twilio Account SID must be AC followed by 32 hex characters (34 in all)";
      }
      if (ids.apiKeySid !== undefined && !/^SK[0-9a-fA-F]{32}$/.test(ids.apiKeySid)) {
        return "the Twilio API key SID must be SK followed by 32 hex characters (34 in all)";
      }
      return undefined;
    case "plivo":
      if (!ids.authId) return "Plivo needs --auth-id (it starts with MA or SA)";
      if (!/^(MA|SA)[A-Z0-9]{18}$/.test(ids.authId)) {
        return "the Plivo Auth ID must be MA or SA followed by 18 capital letters or digits (20 in all)";
      }
      return undefined;
    case "telnyx":
      return undefined;
  }
}

export function secretProblem(provider: ProviderName, secret: string): string | undefined {
  if (secret.trim() === "") return "the secret is empty";
  if (/\s/.test(secret)) return "the secret contains white space; paste it again without spaces";
  if (provider === "telnyx" && !secret.startsWith("KEY")) {
    return "a Telnyx API key starts with KEY (the v2 key from the portal's API Keys page)";
  }
  return undefined;
}

export function secretName(provider: ProviderName, apiKey: boolean): string {
  if (provider === "twilio") return apiKey ? "API key secret" : "auth token";
  if (provider === "plivo") return "auth token";
  return "API key";
}
