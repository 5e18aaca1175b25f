import type { RuleDecision } from "./rules.js";

/** A daily window in the recipient's local time, `HH:MM` to `HH:MM`; it may cross midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

export const CLOCK_TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

const DAY_SECONDS = 86_400;
/** A window can never open if every start within two days was tried. */
const SEARCH_MS = 2 * DAY_SECONDS * 1000;

function secondsOfDay(clock: string): number {
  const [, hours = "0", minutes = "0"] = CLOCK_TIME.exec(clock) ?? [];
  return Number(hours) * 3600 + Number(minutes) * 60;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `zone` at `instant`, in seconds since its midnight. */
function localSeconds(zone: string, instant: number): number {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(zone, format);
  }
  let seconds = 0;
  for (const part of format.formatToParts(instant)) {
    if (part.type === "hour") seconds += Number(part.value) * 3600;
    else if (part.type === "minute") seconds += Number(part.value) * 60;
    else if (part.type === "second") seconds += Number(part.value);
  }
  return seconds;
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

/** The next instant at or after `from` when the wall clock in `zone` reads `clock`. */
function nextWallClock(zone: string, clock: string, from: number): number {
  const target = secondsOfDay(clock);
  const base = Math.floor(from / 1000) * 1000;
  const ahead = (((target - localSeconds(zone, base)) % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
  let instant = base + ahead * 1000;
  // A daylight-saving change in between moves the wall clock: correct by what it reads then.
  for (let tries = 0; tries < 3; tries++) {
    let off = target - localSeconds(zone, instant);
    if (off > DAY_SECONDS / 2) off -= DAY_SECONDS;
    if (off < -DAY_SECONDS / 2) off += DAY_SECONDS;
    if (off === 0) break;
    instant += off * 1000;
  }
  return instant < base ? instant + DAY_SECONDS * 1000 : instant;
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
  const opensAt = known
    .map((zone) => nextWallClock(zone, window.end, now))
    .filter((instant) => instant - now <= SEARCH_MS)
    .sort((a, b) => a - b)
    .find((instant) => known.every((zone) => !inside(localSeconds(zone, instant), window)));
  if (opensAt === undefined) {
    return {
      allowed: false,
      category: "quiet_hours",
      retryable: false,
      reason: `${their}: inside this connection's quiet hours (${span} the recipient's local time), and its possible time zones are never all outside them at once; the account owner can turn quietHours off, or a number with a known area can be used`,
    };
  }
  const waitMs = opensAt - now;
  return {
    allowed: false,
    category: "quiet_hours",
    retryable: true,
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    reason: `${their}, inside this connection's quiet hours (${span} the recipient's local time); sending will be possible in about ${describeWait(waitMs)}, at ${window.end} their time`,
  };
}
