import { z } from "zod";
import { e164Schema } from "../sms/e164.js";
import { guardrailsConfigSchema } from "../sms/guardrails/settings.js";
import { PROVIDER_NAMES } from "../sms/providerNames.js";
import { ALPHANUMERIC_SENDER, MESSAGING_SERVICE_SID, senderProblem } from "../sms/sender.js";

const origin = z
  .string()
  .url()
  .refine((value) => /^https?:$/.test(new URL(value).protocol), "must be an http(s) origin");

/** A sender of any kind; whether it suits the connection's provider is checked after parsing. */
const senderSchema = z.union([
  e164Schema,
  z.string().regex(MESSAGING_SERVICE_SID),
  z.string().uuid(),
  z.string().regex(ALPHANUMERIC_SENDER),
]);

/** A per-connection bearer token, as stored: never the token itself. */
export const connectionTokenSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{8}$/),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    created: z.string().datetime(),
  })
  .strict();

/** The non-secret part of a connection. Secrets live in the OS keychain under `id`. */
export const connectionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    label: z.string().min(1).max(100),
    provider: z.enum(PROVIDER_NAMES),
    accountSid: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/)
      .optional(),
    apiKeySid: z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/)
      .optional(),
    authId: z.string().min(1).optional(),
    /** Any sender kind: E.164, a Twilio `MG…`, a Plivo Powerpack UUID, an alphanumeric ID. */
    defaultFrom: senderSchema.optional(),
    /** Other senders from_ may name; when set, any other from_ is refused before the provider. */
    senders: z.array(senderSchema).optional(),
    /** Telnyx: the messaging profile every text is sent through (`messaging_profile_id`). */
    messagingProfileId: z.string().uuid().optional(),
    apiBaseUrl: origin.optional(),
    guardrails: guardrailsConfigSchema.optional(),
    /** Bearer tokens that open only this connection's HTTP endpoints: their SHA-256 only. */
    tokens: z.array(connectionTokenSchema).optional(),
  })
  .strict()
  .superRefine((connection, context) => {
    const senders = [connection.defaultFrom, ...(connection.senders ?? [])];
    for (const sender of senders) {
      const problem = sender === undefined ? undefined : senderProblem(sender, connection.provider);
      if (problem) context.addIssue({ code: "custom", path: ["defaultFrom"], message: problem });
    }
  });

export const CONFIG_VERSION = 1;

export const configSchema = z
  .object({
    version: z.literal(CONFIG_VERSION),
    defaultConnection: z.string().optional(),
    connections: z.array(connectionSchema),
  })
  .strict();

export type ConnectionConfig = z.infer<typeof connectionSchema>;
export type ConnectionToken = z.infer<typeof connectionTokenSchema>;
export type ConfigFile = z.infer<typeof configSchema>;

export function emptyConfig(): ConfigFile {
  return { version: CONFIG_VERSION, connections: [] };
}
