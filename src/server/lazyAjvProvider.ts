import { createRequire } from "node:module";
import type { AjvJsonSchemaValidator as SdkAjvValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";
import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation/types.js";

const requireCjs = createRequire(import.meta.url);

/**
 * Stands in for the SDK's `validation/ajv-provider.js` inside the bundle (scripts/bundle.mjs).
 * The SDK's Server and Client import Ajv at load time to build a default validator; the
 * server never uses it, and evaluating Ajv is a noticeable part of every host launch. The
 * real provider (the SDK's own, CommonJS build) loads on the first schema that needs it.
 */
export class AjvJsonSchemaValidator implements jsonSchemaValidator {
  private real: SdkAjvValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    if (!this.real) {
      const sdk = requireCjs(
        "@modelcontextprotocol/sdk/validation/ajv",
      ) as typeof import("@modelcontextprotocol/sdk/validation/ajv-provider.js");
      this.real = new sdk.AjvJsonSchemaValidator();
    }
    return this.real.getValidator<T>(schema);
  }
}
