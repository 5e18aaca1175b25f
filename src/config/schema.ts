import { z } from "zod";
import { PROVIDER_NAMES } from "../providers/types.js";
import { E164_SHAPE } from "../sms/e164.js";

const e164 = z.string().regex(E164_SHAPE, "must be an E.164 number like +15551234567");

const rateLimit = z.object({
  limit: z.number().int().min(0),
  windowSeconds: z.number().int().positive(),
});

/** The `guardrails` object of a connection in the config file; every field optional. */
export const guardrailsConfigSchema = z
  .object({
    duplicateWindowSeconds: z.number().int().min(0),
    allowedCountries: z.union([z.literal("*"), z.array(z.string().regex(/^[A-Z]{2}$/))]),
    blockNonMobileTypes: z.boolean(),
    allowList: z.array(e164),
    denyList: z.array(e164),
    perRecipient: rateLimit,
    perConnection: rateLimit,
    maxSegments: z.number().int().positive(),
    dryRun: z.boolean(),
    auditLog: z.string().min(1),
    auditBodies: z.boolean(),
  })
  .partial()
  .strict();

export type GuardrailsConfig = z.infer<typeof guardrailsConfigSchema>;

const origin = z
  .string()
  .url()
  .refine((value) => /^https?:$/.test(new URL(value).protocol), "must be an http(s) origin");

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
    defaultFrom: e164.optional(),
    apiBaseUrl: origin.optional(),
    guardrails: guardrailsConfigSchema.optional(),
  })
  .strict();

export const CONFIG_VERSION = 1;

export const configSchema = z
  .object({
    version: z.literal(CONFIG_VERSION),
    defaultConnection: z.string().optional(),
    connections: z.array(connectionSchema),
  })
  .strict();

export type ConnectionConfig = z.infer<typeof connectionSchema>;
export type ConfigFile = z.infer<typeof configSchema>;

export function emptyConfig(): ConfigFile {
  return { version: CONFIG_VERSION, connections: [] };
}
