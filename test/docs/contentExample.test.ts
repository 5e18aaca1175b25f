// The README's worked example of "What may be texted" does what the README says it does.
import { readFile } from "node:fs/promises";
import MarkdownIt from "markdown-it";
import { expect, it } from "vitest";
import { parseGuardrail } from "../../src/config/guardrailSettings.js";
import { GUARDRAIL_FIELDS } from "../../src/sms/guardrails/settings.js";
import {
  compileTemplates,
  firstMatchingTemplate,
  scanMessage,
} from "../../src/sms/guardrails/templates.js";
import { findLinks } from "../../src/sms/links.js";

it("the dental practice's templates parse, and its example texts match as described", async () => {
  const source = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const section = source.slice(source.indexOf("## What may be texted"));
  const fence = new MarkdownIt().parse(section, {}).find((token) => token.type === "fence");
  expect(fence?.info).toBe("json");
  const templates = GUARDRAIL_FIELDS.templates.schema.parse(JSON.parse(fence?.content ?? ""));
  const compiled = compileTemplates(templates);
  const matched = (text: string) =>
    firstMatchingTemplate(compiled, scanMessage(text, findLinks(text)))?.name;
  expect(
    matched("Hi Ann, your visit at Smile Dental is on Tuesday at 3:30 pm. Reply C to cancel."),
  ).toBe("booking");
  expect(
    matched(
      "Your Smile Dental balance is ready to pay at https://pay.smiledental.com/i/8812 - thank you!",
    ),
  ).toBe("payment");
  expect(matched("Your account is locked, verify at http://bit.ly/x")).toBeUndefined();
  expect(parseGuardrail("quietHours", "21:00-08:00", "example")).toEqual({
    start: "21:00",
    end: "08:00",
  });
  for (const [field, value] of [
    ["templatesOnly", "true"],
    ["allowedLinkDomains", "pay.smiledental.com"],
  ] as const) {
    expect(section).toContain(`set ${field} ${value}`);
    expect(() => parseGuardrail(field, value, field)).not.toThrow();
  }
});
