import { z } from "zod";

/** E.164 written strictly: `+`, a country code that does not start with 0, at most 15 digits. */
export const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/** The same shape as a config or settings field, with the message a config owner reads. */
export const e164Schema = z.string().regex(E164_SHAPE, "must be an E.164 number like +15551234567");
