/**
 * Milliseconds since the epoch that move only with the monotonic clock: the wall clock is read
 * once, when the clock is made, and from then on elapsed time is the monotonic clock's. A
 * wall-clock step (NTP correcting a VM that slept, a hand-set clock) then neither lets an
 * identical text out early nor holds one back for hours inside a running process; the
 * duplicate window and every rate window last as long as they say.
 *
 * @param wall where the start is read. Default: `Date.now`.
 * @param monotonic elapsed milliseconds from any origin. Default: `performance.now`.
 */
export function steadyClock(
  wall: () => number = Date.now,
  monotonic: () => number = () => performance.now(),
): () => number {
  const startedAt = wall();
  const origin = monotonic();
  return () => startedAt + Math.floor(monotonic() - origin);
}
