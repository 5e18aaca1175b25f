import type { SenderPoolState } from "../sms/ports/provider.js";

/**
 * A pool is ready when any of its sender listings holds one (numbers first, then short codes
 * or sender IDs): each is asked in turn, and the first that is not empty ends the asking.
 */
export async function readyWhenAnyHeld(
  counts: ReadonlyArray<() => Promise<number>>,
): Promise<SenderPoolState> {
  for (const count of counts) {
    if ((await count()) > 0) return "ready";
  }
  return "empty";
}
