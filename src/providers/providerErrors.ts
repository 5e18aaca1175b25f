import { SmsError, type SmsErrorCategory } from "../sms/errors.js";
import type { SmsProvider } from "../sms/ports/provider.js";
import { PROVIDER_TITLES, type ProviderName } from "../sms/providerNames.js";
import { aroundEveryCall } from "./decorate.js";

interface Details {
  providerCode?: string | undefined;
  status?: number | undefined;
  retryAfterSeconds?: number | undefined;
}

/** One plain sentence per category, the same whichever provider answered. */
function reasonFor(category: SmsErrorCategory, title: string, status?: number): string {
  switch (category) {
    case "invalid_recipient":
      return `${title} says the recipient is not a valid mobile number it can text; confirm the number with the person`;
    case "invalid_sender":
      return `${title} will not send from that number: it is not an SMS-capable number on this account; leave from_ out to use the default sender`;
    case "opted_out":
      return "the recipient has opted out (replied STOP), so texts to them are blocked; do not retry, and ask the person to text START first if they want messages again";
    case "authentication":
      return `${title} rejected the credentials; the account owner must reconnect with a valid key (retrying will not help)`;
    case "rate_limited":
      return `${title} is rate limiting this account; wait a minute before trying again`;
    case "too_long":
      return `${title} says the message is too long; shorten it`;
    case "provider_unavailable":
      return `${title} had an internal error${status ? ` (HTTP ${status})` : ""}; the message may or may not have been sent, so check before trying again`;
    default:
      return `${title} refused the message for an unexpected reason${status ? ` (HTTP ${status})` : ""}`;
  }
}

/** A failure the provider answered with, mapped to the category the adapter chose. */
export function providerError(
  provider: ProviderName,
  category: SmsErrorCategory,
  details: Details = {},
): SmsError {
  return new SmsError({
    category,
    reason: reasonFor(category, PROVIDER_TITLES[provider], details.status),
    retryable: category === "rate_limited",
    safeToResend: category === "rate_limited",
    // An HTTP refusal (4xx) means the provider did not take the text; a 2xx without a usable
    // answer, a 5xx or no status at all may mean it did.
    certainlyNotSent: details.status !== undefined && details.status >= 400 && details.status < 500,
    providerCode: details.providerCode,
    retryAfterSeconds: details.retryAfterSeconds,
  });
}

/**
 * A message lookup (`sms-mcp status`) the provider answered 404: no message with this id on
 * this account.
 */
export function messageNotFound(provider: ProviderName): SmsError {
  return new SmsError({
    category: "unknown",
    reason: `${PROVIDER_TITLES[provider]} has no message with this id on this account; check the id (the send's answer and sms-mcp log have it) and that this is the connection that sent it`,
    retryable: false,
  });
}

/** Category for an HTTP status when the provider's own code did not decide it. */
export function categoryForStatus(status: number | undefined): SmsErrorCategory {
  if (status === 401 || status === 403) return "authentication";
  if (status === 429) return "rate_limited";
  if (status !== undefined && status >= 500) return "provider_unavailable";
  return "unknown";
}

export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

/**
 * An adapter whose every failure reaches the rest as an SmsError: what the SDK threw goes
 * through `toSmsError` (told whether the call looked a message up, where a 404 means no such
 * message); an SmsError the adapter threw itself passes as it is. Checking a callback's
 * signature answers undefined rather than throwing: it passes untouched.
 */
export function withMappedErrors(
  adapter: SmsProvider,
  toSmsError: (error: unknown, lookup: boolean) => SmsError,
): SmsProvider {
  return aroundEveryCall(adapter, (method, run) =>
    method === "readStatusCallback"
      ? run()
      : run().catch((error: unknown) => {
          throw error instanceof SmsError ? error : toSmsError(error, method === "messageStatus");
        }),
  );
}
