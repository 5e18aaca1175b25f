import type { GuardrailStore } from "./ports/store.js";
import { SeenKeys } from "./seenKeys.js";

/**
 * "Was this key seen within its window?" from the store where it can answer for every process
 * and replica, else from this process's own memory.
 */
export function firstSightings(
  store: GuardrailStore,
  now: () => number,
): (key: string, windowMs: number) => Promise<boolean> {
  if (store.firstSighting) {
    const shared = store.firstSighting.bind(store);
    return (key, windowMs) => shared(key, windowMs, now());
  }
  const seen = new SeenKeys();
  return async (key, windowMs) => seen.firstSighting(key, windowMs, now());
}
