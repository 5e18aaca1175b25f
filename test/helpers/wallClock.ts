// Quiet-hours tests build windows around the recipient's wall clock at the moment they run.

/** The wall clock in `zone` now, in minutes since its midnight. */
export function localMinutes(zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(Date.now());
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return part("hour") * 60 + part("minute");
}

/** Minutes since midnight (any integer, wrapped to one day) as `HH:MM`. */
export function clock(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** A quiet-hours window from half an hour ago to half an hour ahead in `zone`. */
export function windowAroundNow(zone: string): string {
  const now = localMinutes(zone);
  return `${clock(now - 30)}-${clock(now + 30)}`;
}
