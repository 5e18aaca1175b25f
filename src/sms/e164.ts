/** E.164 written strictly: `+`, a country code that does not start with 0, at most 15 digits. */
export const E164_SHAPE = /^\+[1-9]\d{1,14}$/;
