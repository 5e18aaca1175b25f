import type { SendMetrics } from "./ports/metrics.js";
import type { GuardrailStore } from "./ports/store.js";

/** The store with its claims and settles timed for the metrics; every other method as it is. */
export function timedStore(store: GuardrailStore, metrics: SendMetrics): GuardrailStore {
  async function timed<T>(step: "claim" | "settle", run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      metrics.ledger(step, (performance.now() - started) / 1000);
    }
  }
  // Every method of the port is named here, optional ones too (a new one fails to compile
  // until it is passed on): a method left out would vanish from the store behind the metrics.
  const passed: { [Method in keyof Required<GuardrailStore>]: GuardrailStore[Method] } = {
    claim: (request, now) => timed("claim", () => store.claim(request, now)),
    settle: (attemptId, key, settlement, now) =>
      timed("settle", () => store.settle(attemptId, key, settlement, now)),
    firstSighting: store.firstSighting?.bind(store),
    sighted: store.sighted?.bind(store),
    earlier: store.earlier?.bind(store),
    rateRefusal: store.rateRefusal?.bind(store),
    sharedSecret: store.sharedSecret?.bind(store),
    isReady: store.isReady?.bind(store),
    close: store.close?.bind(store),
  };
  return passed;
}
