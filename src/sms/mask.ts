/** +15551234567 → +1555***4567: enough to tell sends apart, not a full number in the logs. */
export function maskNumber(number: string | null | undefined): string | undefined {
  if (!number || number.length < 9) return number ?? undefined;
  return `${number.slice(0, 5)}***${number.slice(-4)}`;
}
