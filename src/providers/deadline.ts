import { SmsError } from "../sms/errors.js";
import type { SmsProvider } from "../sms/ports/provider.js";
import { PROVIDER_TITLES } from "../sms/providerNames.js";
import { aroundEveryCall } from "./decorate.js";

/**
 * Bounds every call of a provider by one deadline, start to finish. The SDKs' own timeouts
 * watch the socket: a provider that answers its headers at once and then drips its body a
 * byte at a time resets them forever. The request left behind may still finish; its outcome
 * is unknown, and the ledger keeps it so.
 */
export function withDeadline(provider: SmsProvider, timeoutMs: number): SmsProvider {
  const title = PROVIDER_TITLES[provider.name];
  const seconds = Math.ceil(timeoutMs / 1000);
  const sendTimedOut = () =>
    new SmsError({
      category: "provider_unavailable",
      reason: `${title} did not answer in time (${seconds} s), so it is unknown whether the message was sent; do not send it again before checking with the person`,
      retryable: false,
    });
  const callTimedOut = () =>
    new SmsError({
      category: "provider_unavailable",
      reason: `${title} did not answer in time (${seconds} s); check the network and try again`,
      retryable: true,
      certainlyNotSent: true,
    });
  function bounded<T>(work: Promise<T>, timedOut: () => SmsError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(timedOut()), timeoutMs);
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
  // Checking a callback's signature is local work, and `prepare` loads what the first send
  // needs at start-up: neither is a call to bound.
  return aroundEveryCall(provider, (method, run) =>
    method === "readStatusCallback" || method === "prepare"
      ? run()
      : bounded(run(), method === "send" ? sendTimedOut : callTimedOut),
  );
}
