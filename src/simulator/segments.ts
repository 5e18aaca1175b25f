// The simulator's own segment count, written apart from src/sms/segments.ts on purpose: the
// end-to-end tests compare the server's count with this one, so the two must not share code.
// It works as a carrier's SMSC does: encode to septets (or UTF-16 units), then cut into parts.

/** GSM 03.38 default alphabet, in table order (index = septet value). */
const DEFAULT_ALPHABET = [
  ..."@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?",
  ..."¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
];
/** The extension table: each is sent as ESC (0x1B) then its code. */
const EXTENSION = new Set(["\f", "^", "{", "}", "\\", "[", "~", "]", "|", "€"]);

/** One septet count per character, or undefined when a character has no GSM-7 form. */
function septets(text: string): number[] | undefined {
  const widths: number[] = [];
  for (const character of text) {
    if (character !== "\u001b" && DEFAULT_ALPHABET.includes(character)) widths.push(1);
    else if (EXTENSION.has(character)) widths.push(2);
    else return undefined;
  }
  return widths;
}

/** How many parts `widths` fill when each part holds `capacity` and no unit is split. */
function parts(widths: number[], capacity: number): number {
  let count = 1;
  let room = capacity;
  for (const width of widths) {
    if (width > room) {
      count += 1;
      room = capacity;
    }
    room -= width;
  }
  return count;
}

export function simulatedSegments(text: string): { segments: number; encoding: string } {
  const gsm = septets(text);
  if (gsm) {
    const total = gsm.reduce((sum, width) => sum + width, 0);
    return { encoding: "GSM-7", segments: total <= 160 ? 1 : parts(gsm, 153) };
  }
  // UCS-2: two bytes a unit; a character outside the BMP is a surrogate pair, never split.
  const units = [...text].map((character) => ((character.codePointAt(0) ?? 0) > 0xffff ? 2 : 1));
  const total = units.reduce((sum, width) => sum + width, 0);
  return { encoding: "UCS-2", segments: total <= 70 ? 1 : parts(units, 67) };
}
