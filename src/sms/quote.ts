/** Control, format (direction overrides, joiners) and line/paragraph separator characters. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * A value the caller gave, as a refusal quotes it back: without control or format characters
 * (a right-to-left override would turn the sentence the model reads around), cut to `max`
 * characters, in JSON quotes.
 */
export function quote(value: string, max = 40): string {
  const visible = value.replace(UNPRINTABLE, "");
  return JSON.stringify(visible.length > max ? `${visible.slice(0, max)}…` : visible);
}
