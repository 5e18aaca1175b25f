import { describe, expect, it } from "vitest";
import { AjvJsonSchemaValidator } from "../../src/server/lazyAjvProvider.js";

describe("lazy Ajv provider (the bundle's stand-in for the SDK's)", () => {
  it("validates like the SDK's provider once a schema asks for it", () => {
    const validate = new AjvJsonSchemaValidator().getValidator<{ status: string }>({
      type: "object",
      properties: { status: { type: "string", enum: ["sent", "failed"] } },
      required: ["status"],
    });
    expect(validate({ status: "sent" })).toMatchObject({ valid: true, data: { status: "sent" } });
    const wrong = validate({ status: "lost" });
    expect(wrong.valid).toBe(false);
    expect(wrong.errorMessage).toMatch(/status/);
  });
});
