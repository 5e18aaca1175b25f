import type { RuleDecision } from "./rules.js";

/** A daily window in the recipient's local time, `HH:MM` to `HH:MM`; it may cross midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

export const CLOCK_TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

const DAY_SECONDS = 86_400;
/** A daily window that does not open for all zones within two days never will. */
const SEARCH_SECONDS = 2 * DAY_SECONDS;

function secondsOfDay(clock: string): number {
  const [, hours = "0", minutes = "0"] = CLOCK_TIME.exec(clock) ?? [];
  return Number(hours) * 3600 + Number(minutes) * 60;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock and calendar in `zone` at `instant` (ms), as seconds since 1970 read as UTC. */
function wallClock(zone: string, instant: number): number {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(zone, format);
  }
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const { type, value } of format.formatToParts(instant)) part[type] = Number(value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = part;
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}

/** The wall-clock time in `zone` at `instant` (ms), in seconds since its midnight. */
function localSeconds(zone: string, instant: number): number {
  return ((wallClock(zone, instant) % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
}

/** How far `zone`'s wall clock is ahead of UTC at `second` (seconds since 1970). */
function offsetAt(zone: string, second: number): number {
  return wallClock(zone, second * 1000) - second;
}

/** Whether a zone name is one this runtime's time-zone data knows. */
export function isKnownZone(zone: string): boolean {
  try {
    localSeconds(zone, 0);
    return true;
  } catch {
    return false;
  }
}

function inside(seconds: number, window: QuietHours): boolean {
  const start = secondsOfDay(window.start);
  const end = secondsOfDay(window.end);
  return start < end ? seconds >= start && seconds < end : seconds >= start || seconds < end;
}

/**
 * The instants in (`from`, `until`] (seconds) at which `zone` can leave the window: where its
 * wall clock reads the window's end, and where its offset changes (a daylight-saving jump can
 * skip the end, or carry the clock out of the window). Zones change offset at most twice a
 * year, so one change is looked for between the two ends of the span.
 */
function leavingInstants(zone: string, end: string, from: number, until: number): number[] {
  const pieces: { from: number; until: number; offset: number }[] = [];
  const first = offsetAt(zone, from);
  let change = until + 1;
  if (offsetAt(zone, until) !== first) {
    let before = from;
    change = until;
    while (change - before > 1) {
      const middle = Math.floor((before + change) / 2);
      if (offsetAt(zone, middle) === first) before = middle;
      else change = middle;
    }
    pieces.push({ from: change, until, offset: offsetAt(zone, change) });
  }
  pieces.push({ from, until: change - 1, offset: first });
  const instants = change <= until ? [change] : [];
  const endOfDay = secondsOfDay(end);
  for (const piece of pieces) {
    const firstDay = Math.floor((piece.from + piece.offset) / DAY_SECONDS);
    for (let day = firstDay; day * DAY_SECONDS - piece.offset <= piece.until; day++) {
      const instant = day * DAY_SECONDS + endOfDay - piece.offset;
      if (instant > from && instant >= piece.from && instant <= piece.until) instants.push(instant);
    }
  }
  return instants;
}

function clockText(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}

function describeWait(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `${hours} hour${hours === 1 ? "" : "s"}${rest ? ` ${rest} minute${rest === 1 ? "" : "s"}` : ""}`;
}

/**
 * Quiet hours in the recipient's local time. `zones` are the time zones the number can be in;
 * when they disagree, the text waits until it is outside the window in every one of them, so
 * no one is texted at night. A number whose zones are never all outside the window at once
 * (a range spread over the whole country) is refused for good: the owner must decide.
 */
export function quietHoursRule(
  e164: string,
  zones: readonly string[],
  window: QuietHours,
  now: number,
): RuleDecision {
  const known = zones.filter(isKnownZone);
  const span = `${window.start}–${window.end}`;
  if (known.length === 0) {
    return {
      allowed: false,
      rule: "quietHours",
      category: "quiet_hours",
      retryable: false,
      reason: `the local time of ${e164} cannot be told from its number, so this connection's quiet hours (${span} the recipient's time) cannot be checked; the account owner can turn quietHours off for such numbers`,
    };
  }
  const quiet = known.filter((zone) => inside(localSeconds(zone, now), window));
  if (quiet.length === 0) return { allowed: true };
  const where = quiet
    .slice(0, 3)
    .map((zone) => `${clockText(localSeconds(zone, now))} in ${zone}`)
    .join(", ");
  const their =
    known.length === 1
      ? `it is ${where} for ${e164}`
      : `${e164} could be in ${known.length} time zones, and it is ${where}${quiet.length > 3 ? " and more" : ""}`;
  // The first instant every zone is outside is one at which some zone has just left.
  const from = Math.floor(now / 1000);
  const opensAt = known
    .flatMap((zone) => leavingInstants(zone, window.end, from, from + SEARCH_SECONDS))
    .sort((a, b) => a - b)
    .find((second) => known.every((zone) => !inside(localSeconds(zone, second * 1000), window)));
  if (opensAt === undefined) {
    return {
      allowed: false,
      rule: "quietHours",
      category: "quiet_hours",
      retryable: false,
      reason: `${their}: inside this connection's quiet hours (${span} the recipient's local time), and its possible time zones are never all outside them at once; the account owner can turn quietHours off, or a number with a known area can be used`,
    };
  }
  const waitMs = opensAt * 1000 - now;
  const opening = known
    .slice(0, 3)
    .map((zone) => clockText(localSeconds(zone, opensAt * 1000)))
    .map((clock, index) =>
      known.length === 1 ? `${clock} their time` : `${clock} in ${known[index]}`,
    )
    .join(", ");
  return {
    allowed: false,
    rule: "quietHours",
    category: "quiet_hours",
    retryable: true,
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    reason: `${their}, inside this connection's quiet hours (${span} the recipient's local time); sending will be possible in about ${describeWait(waitMs)}, at ${opening}`,
  };
}
