import { z } from "zod";

/** Carriers and all three providers cap one message at 1600 characters. */
export const MAX_MESSAGE_CHARS = 1600;

export const sendSmsArgumentsSchema = z
  .object({
    to_: z
      .string()
      .describe(
        "Recipient phone number in E.164 format: + then country code and number, no spaces or punctuation, e.g. +15551234567",
      ),
    message: z.string().describe(`The text to send, 1 to ${MAX_MESSAGE_CHARS} characters`),
    from_: z
      .string()
      .optional()
      .describe(
        "Optional sender: a number on the connected account in E.164 format, or a sender the connection lists (an alphanumeric sender ID such as ABC Dental, a messaging service). Leave it out to use the connection's default sender",
      ),
  })
  .strict();

export type SendSmsArguments = z.infer<typeof sendSmsArgumentsSchema>;
