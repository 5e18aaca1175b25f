import type { AjvJsonSchemaValidator as SdkAjvValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";
import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation/types.js";

/**
 * Stands in for the SDK's `validation/ajv-provider.js` inside the bundle (scripts/bundle.mjs).
 * The SDK's Server and Client import Ajv at load time to build a default validator; the
 * server never uses it, and evaluating Ajv is a noticeable part of every host launch. The
 * real provider (the SDK's own, CommonJS build) loads on the first schema that needs it.
 *
 * It is a plain `require()` so that esbuild bundles the provider (an installed package needs
 * no SDK beside the bundle) but evaluates it only when called. The bundle defines `require`;
 * outside it (the tests' TypeScript) only the server holds one, and the server never elicits.
 */
export class AjvJsonSchemaValidator implements jsonSchemaValidator {
  private real: SdkAjvValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    if (!this.real) {
      const sdk =
        require("@modelcontextprotocol/sdk/validation/ajv") as typeof import("@modelcontextprotocol/sdk/validation/ajv-provider.js");
      this.real = new sdk.AjvJsonSchemaValidator();
    }
    return this.real.getValidator<T>(schema);
  }
}
