/**
 * The bundle's stand-in for libphonenumber-js's `helpers/matchesEntirely.js` (see
 * scripts/bundle.mjs). The library builds `new RegExp("^(?:" + pattern + ")$")` on every test,
 * three or four times per number parsed; the patterns are metadata constants, so each one is
 * compiled once here and reused. Same answers: the expressions carry no `g` or `y` flag, so
 * `test` keeps no state between calls.
 */
const compiled = new Map<string, RegExp>();

export default function matchesEntirely(text: string | undefined, pattern: string): boolean {
  let whole = compiled.get(pattern);
  if (whole === undefined) {
    whole = new RegExp(`^(?:${pattern})$`);
    compiled.set(pattern, whole);
  }
  return whole.test(text || "");
}
