import { readFileSync } from "node:fs";
import type { z } from "zod";
import {
  DEFAULT_GUARDRAILS,
  type EnvSyntax,
  GUARDRAIL_FIELDS,
  GUARDRAIL_NAMES,
  type GuardrailName,
  type GuardrailSettings,
  type GuardrailsConfig,
} from "../sms/guardrails/settings.js";
import { parseTemplate } from "../sms/guardrails/templates.js";
import { ConfigError } from "./configError.js";
import { parseDuration } from "./duration.js";

const EXPECTED: Record<EnvSyntax, string> = {
  count: "a whole number",
  bool: "true or false",
  countries: 'ISO country codes (US,CA) or "*"',
  numbers: "a comma-separated list of E.164 numbers",
  rate: 'a count per window such as "5/1h" or "200/24h" (the window longer than 0)',
  path: "a file path",
  hosts: 'comma-separated host names (pay.example.com,example.org), or "none" for no links at all',
  window: 'a daily window such as "21:00-08:00" (HH:MM-HH:MM, two different times)',
  choice: "one of its words",
  jsonFile: "the path of a JSON file",
};

/** A JSON file's value; a file that cannot be read or parsed is a ConfigError naming `source`. */
function readJsonFile(path: string, source: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw new ConfigError(`${source}: cannot read ${path} (${code})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${source}: ${path} is not valid JSON`);
  }
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** A yes or no as a variable is written: 1/0, true/false, yes/no, on/off; else undefined. */
export function booleanOf(value: string): boolean | undefined {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return undefined;
}

/** The text of a variable as the field's value, before the field's schema checks it. */
function parse(syntax: EnvSyntax, value: string, source: string): unknown {
  switch (syntax) {
    case "count":
      return /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    case "bool":
      return booleanOf(value);
    case "countries":
      return value.trim() === "*" ? "*" : list(value.toUpperCase());
    case "numbers":
      return list(value);
    case "rate": {
      const match = /^(\d+)\s*\/(.*)$/.exec(value.trim());
      const windowSeconds = match ? parseDuration(match[2] ?? "") : undefined;
      return match && windowSeconds !== undefined
        ? { limit: Number(match[1]), windowSeconds }
        : undefined;
    }
    case "path":
      return value;
    case "hosts":
      return value.trim().toLowerCase() === "none" ? [] : list(value);
    case "window": {
      // A dash or the en or em dash people type for a range; 9:00 as 09:00.
      const match = /^\s*(\S+?)\s*[-\u2013\u2014]\s*(\S+)\s*$/.exec(value);
      const clock = (time = "") => (/^\d:/.test(time) ? `0${time}` : time);
      // Not undefined: the field is optional, and undefined would pass as "unset".
      return match ? { start: clock(match[1]), end: clock(match[2]) } : value;
    }
    case "choice":
      return value.trim().toLowerCase();
    case "jsonFile":
      return readJsonFile(value, source);
  }
}

/** "a whole number of at least 1", from the schema's own lower bound when it has one. */
function expectedFrom(syntax: EnvSyntax, error: z.ZodError): string {
  const issue = error.issues[0];
  if (syntax === "count" && issue?.code === "too_small") {
    const least = Number(issue.minimum) + (issue.inclusive ? 0 : 1);
    return `${EXPECTED.count} of at least ${least}`;
  }
  if (syntax === "choice" && issue?.code === "invalid_value") {
    const words = issue.values.map(String);
    return `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
  }
  return EXPECTED[syntax];
}

/**
 * A field's value written as its environment variable is (`5/1h`, `US,CA`, `true`…), parsed and
 * checked by the field's schema; a malformed one is a ConfigError naming `source`.
 */
export function parseGuardrail<K extends GuardrailName>(
  name: K,
  text: string,
  source: string,
): GuardrailSettings[K] {
  const { syntax, schema } = GUARDRAIL_FIELDS[name];
  const checked = schema.safeParse(parse(syntax, text, source));
  if (!checked.success) {
    const issue = checked.error.issues[0];
    // A rule of the field's own (a template's placeholder, a link domain) says what is wrong.
    if (issue?.code === "custom" || (syntax === "jsonFile" && issue)) {
      const where = issue.path.length ? ` (at ${issue.path.join(".")})` : "";
      throw new ConfigError(`${source}${where}: ${issue.message}`);
    }
    throw new ConfigError(`${source} must be ${expectedFrom(syntax, checked.error)}`);
  }
  return checked.data as GuardrailSettings[K];
}

/**
 * The guardrail variables that are set, each parsed and checked by the same schema as the
 * config file's field; a malformed one is a ConfigError naming the variable.
 */
export function guardrailOverridesFromEnv(env: NodeJS.ProcessEnv): Partial<GuardrailSettings> {
  const overrides: Record<string, unknown> = {};
  for (const name of GUARDRAIL_NAMES) {
    const variable = GUARDRAIL_FIELDS[name].env;
    const text = env[variable];
    if (text === undefined || text === "") continue;
    overrides[name] = parseGuardrail(name, text, variable);
  }
  return overrides as Partial<GuardrailSettings>;
}

/**
 * Defaults, then the connection's config, then the environment's overrides; a combination
 * that cannot work (templatesOnly with no template, a link placeholder where no link may go)
 * is a ConfigError naming the settings.
 */
export function resolveGuardrails(
  config: GuardrailsConfig | undefined,
  overrides: Partial<GuardrailSettings>,
): GuardrailSettings {
  const settings = { ...DEFAULT_GUARDRAILS, ...config, ...overrides };
  if (settings.templatesOnly && settings.templates.length === 0) {
    throw new ConfigError(
      `templatesOnly is on (${overrides.templatesOnly ? GUARDRAIL_FIELDS.templatesOnly.env : "in the config"}), but the connection has no templates: add templates to its guardrails, or point ${GUARDRAIL_FIELDS.templates.env} at a JSON file of them`,
    );
  }
  const linkTemplate = settings.templates.find((template) => {
    const parsed = parseTemplate(template.text);
    return typeof parsed !== "string" && parsed.steps.some((step) => step.kind === "link");
  });
  if (linkTemplate && settings.allowedLinkDomains?.length === 0) {
    throw new ConfigError(
      `template "${linkTemplate.name}" has a link placeholder, but allowedLinkDomains is "none", so no text could ever match it: name the hosts its links may go to, or take the placeholder out`,
    );
  }
  return settings;
}
