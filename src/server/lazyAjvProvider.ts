import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from "@modelcontextprotocol/server";
import type { AjvJsonSchemaValidator as SdkAjvValidator } from "@modelcontextprotocol/server/validators/ajv";

/**
 * Stands in for the SDK's default validator inside the bundle (scripts/bundle.mjs, through
 * src/server/sdkShims.ts). The SDK's Server and Client import their Ajv provider, some 300 KB
 * of code, at load time for a default validator a send never uses; evaluating it is a
 * noticeable part of every host launch. The real provider loads on the first schema that
 * needs it.
 *
 * It is a plain `require()` so that esbuild bundles the provider (an installed package needs
 * no SDK beside the bundle) but evaluates it only when called. The bundle defines `require`,
 * and so does vitest for the tests' TypeScript.
 */
export class AjvJsonSchemaValidator implements jsonSchemaValidator {
  private real: SdkAjvValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    if (!this.real) {
      const sdk =
        require("@modelcontextprotocol/server/validators/ajv") as typeof import("@modelcontextprotocol/server/validators/ajv");
      this.real = new sdk.AjvJsonSchemaValidator();
    }
    return this.real.getValidator<T>(schema);
  }
}
