/**
 * +15551234567 → +1555***4567: enough to tell sends apart in a debug log, not a full number.
 * Anything too short to keep three digits hidden is hidden whole.
 */
export function maskNumber(number: string | null | undefined): string | undefined {
  if (!number) return undefined;
  if (number.length < 12) return "***";
  return `${number.slice(0, 5)}***${number.slice(-4)}`;
}
