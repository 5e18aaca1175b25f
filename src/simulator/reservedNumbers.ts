/** Recipients that make the simulator answer with each failure a real provider can give. */
export const RESERVED_RECIPIENTS = {
  "+15005550001": "invalid_recipient",
  "+15005550002": "opted_out",
  "+15005550003": "too_long",
  "+15005550004": "rate_limited",
  "+15005550005": "server_error",
  "+15005550006": "hang",
  "+15005550007": "slow",
  "+15005550008": "accepted_late",
  "+15005550009": "accepted_reset",
  "+15005550010": "accepted_unreadable",
} as const;

/** What the accepted_* recipients get: the text is taken, and then the answer goes wrong. */
export const ACCEPTED_LATE_MS = 3000;

export type Scenario = (typeof RESERVED_RECIPIENTS)[keyof typeof RESERVED_RECIPIENTS];

export function scenarioFor(to: unknown): Scenario | undefined {
  return typeof to === "string"
    ? RESERVED_RECIPIENTS[to as keyof typeof RESERVED_RECIPIENTS]
    : undefined;
}

export const E164 = /^\+[1-9]\d{1,14}$/;
/** An alphanumeric sender ID: the simulated accounts may send from any, outside +1. */
export const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
export const MAX_BODY_CHARS = 1600;
