import { setFlagsFromString } from "node:v8";

/**
 * The run-time performance switches of `serve`, one place for all of them. Each changes speed
 * or memory only, never an answer; set one to false to measure without it (`npm run bench`).
 * The build-time ones are in scripts/bundle.mjs; the figures in docs/benchmarks.md.
 */
export const TUNING = {
  /**
   * V8's allocation-site pretenuring off. Under a steady stream of sends the objects of the
   * sends in flight (the SDK's request and response, the MCP messages) survive a young
   * collection, so V8 starts allocating every later send's short-lived objects straight in
   * the old generation, where they pile up until a full collection: RSS keeps climbing.
   * Consequence: objects that do live long are copied once more before they are promoted.
   */
  noAllocationSitePretenuring: true,
} as const;

export function tuneHeapForServing(): void {
  if (TUNING.noAllocationSitePretenuring) setFlagsFromString("--no-allocation-site-pretenuring");
}
