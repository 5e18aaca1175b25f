import type { StatusCallback } from "../sms/ports/provider.js";

/**
 * How long a callback is remembered against replay when its scheme has no timestamp (Twilio's,
 * Plivo's): a replay can only repeat a state already recorded, and the memory is bounded.
 */
export const REPLAY_WINDOW_UNTIMED_MS = 24 * 60 * 60_000;

/** The fields of a form-encoded POST, as a provider's callback sends them; else undefined. */
export function formFields(callback: StatusCallback): Record<string, string> | undefined {
  const type = callback.headers["content-type"] ?? "";
  if (callback.method !== "POST" || !/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return undefined;
  }
  return Object.fromEntries(new URLSearchParams(callback.body));
}
