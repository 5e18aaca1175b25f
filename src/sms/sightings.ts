import { ledgerUnreachable } from "./claim.js";
import type { GuardrailStore } from "./ports/store.js";
import { SeenKeys } from "./seenKeys.js";

/** Keys remembered for a window: by the store for every process and replica where it can. */
export interface Sightings {
  /** True the first time `key` is recorded within `windowMs`; false while it is held. */
  first(key: string, windowMs: number): Promise<boolean>;
  /** Whether `key` is held now, recording nothing. */
  held(key: string): Promise<boolean>;
}

/**
 * The store's memory where it has one (shared by replicas), else this process's own. A store
 * that records but cannot look without recording counts nothing as held. A store that cannot
 * be reached refuses the send as the claim would (`unavailable`, retryable): a spent
 * confirmation or a read-back that cannot be recorded must not let a text go.
 */
export function sightingsOf(store: GuardrailStore, now: () => number): Sightings {
  if (store.firstSighting) {
    const first = store.firstSighting.bind(store);
    const sighted = store.sighted?.bind(store);
    return {
      first: (key, windowMs) => first(key, windowMs, now()).catch(ledgerUnreachable),
      held: async (key) => (sighted ? sighted(key, now()).catch(ledgerUnreachable) : false),
    };
  }
  const seen = new SeenKeys();
  return {
    first: async (key, windowMs) => seen.firstSighting(key, windowMs, now()),
    held: async (key) => seen.holds(key, now()),
  };
}
