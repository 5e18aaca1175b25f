/** A message the owner allows, with `{placeholders}` the model fills in. */
export interface MessageTemplate {
  name: string;
  text: string;
}

/**
 * - text: 1–64 characters on one line, starting no link;
 * - digits: 1–12 digits (0–9);
 * - link: exactly one link, as a phone finds it.
 */
export type PlaceholderKind = "text" | "digits" | "link";

export const PLACEHOLDER_KINDS: Record<PlaceholderKind, string> = {
  text: "up to 64 characters on one line, without a link",
  digits: "1 to 12 digits",
  link: "one link",
};

const TEXT_MAX_CHARACTERS = 64;
const DIGITS_MAX = 12;

interface Step {
  placeholder: string;
  kind: PlaceholderKind;
  /** The exact text that follows the placeholder, up to the next one or the end. */
  literalAfter: string;
}

export interface CompiledTemplate {
  name: string;
  text: string;
  /** The exact text before the first placeholder. */
  head: string;
  steps: Step[];
}

/** What a message is checked against, computed once for all templates. */
export interface MessageScan {
  message: string;
  /** Per UTF-16 offset: how far a text placeholder starting there may reach. */
  textLimit: Int32Array;
  /** Per UTF-16 offset: how far a digits placeholder starting there may reach. */
  digitsLimit: Int32Array;
  /** Per UTF-16 offset: where the link starting there ends, or -1. */
  linkEnd: Int32Array;
}

/** Counts the matcher's work, so a test can show it grows with the message's length only. */
export interface MatchMeter {
  steps: number;
}

const PLACEHOLDER = /^([A-Za-z][A-Za-z0-9_]{0,31})(?::(.*))?$/;

/**
 * A template's text as head and steps, or a sentence saying what is wrong with it. `{{` and
 * `}}` are literal braces; two placeholders must have text between them (otherwise where
 * one ends is a guess).
 */
export function parseTemplate(text: string): { head: string; steps: Step[] } | string {
  let head = "";
  const steps: Step[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if ((char === "{" || char === "}") && text[i + 1] === char) {
      literal += char;
      i += 2;
      continue;
    }
    if (char === "}") return "it has a } that closes no placeholder (write }} for a literal brace)";
    if (char !== "{") {
      literal += char;
      i += 1;
      continue;
    }
    const close = text.indexOf("}", i);
    if (close < 0) return "it has a { that is never closed (write {{ for a literal brace)";
    const inside = text.slice(i + 1, close);
    const parsed = PLACEHOLDER.exec(inside);
    if (!parsed) {
      return `{${inside}} is not a placeholder: a name of letters, digits and _ (up to 32), then optionally :digits or :link`;
    }
    const [, name = "", kindWritten] = parsed;
    const kind = kindWritten === undefined ? "text" : kindWritten;
    if (kind !== "digits" && kind !== "link" && kind !== "text") {
      return `{${inside}} has an unknown kind "${kind}": use {${name}}, {${name}:digits} or {${name}:link}`;
    }
    if (steps.length === 0) head = literal;
    else {
      const previous = steps[steps.length - 1] as Step;
      if (literal === "") {
        return `{${previous.placeholder}} and {${name}} touch: put text between two placeholders`;
      }
      previous.literalAfter = literal;
    }
    steps.push({ placeholder: name, kind, literalAfter: "" });
    literal = "";
    i = close + 1;
  }
  if (steps.length === 0) head = literal;
  else (steps[steps.length - 1] as Step).literalAfter = literal;
  return { head, steps };
}

/** The first problem in a list of templates, as a sentence naming the template, or undefined. */
export function templatesProblem(templates: readonly MessageTemplate[]): string | undefined {
  const seen = new Set<string>();
  for (const { name, text } of templates) {
    if (seen.has(name)) return `two templates are named "${name}"`;
    seen.add(name);
    const parsed = parseTemplate(text);
    if (typeof parsed === "string") return `template "${name}": ${parsed}`;
  }
  return undefined;
}

/** Throws when a template cannot work; the config schema refuses those before this is reached. */
export function compileTemplates(templates: readonly MessageTemplate[]): CompiledTemplate[] {
  const problem = templatesProblem(templates);
  if (problem) throw new Error(problem);
  return templates.map(({ name, text }) => ({
    name,
    text,
    ...(parseTemplate(text) as { head: string; steps: Step[] }),
  }));
}

/** A control character (C0, DEL, C1: line breaks among them) or a line or paragraph separator. */
function breaksLine(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * One pass over the message: for every offset, how far each placeholder kind may reach from
 * there. `linkStarts` maps a link's start offset to its end (links as a phone finds them).
 */
export function scanMessage(
  message: string,
  links: readonly { start: number; end: number }[],
): MessageScan {
  const n = message.length;
  const linkEnd = new Int32Array(n + 1).fill(-1);
  for (const { start, end } of links) linkEnd[start] = end;

  // Offsets where code points start, so that a text's 64 characters are code points.
  const pointStarts = new Int32Array(n + 1);
  let points = 0;
  for (let i = 0; i < n; i += (message.codePointAt(i) ?? 0) > 0xffff ? 2 : 1) {
    pointStarts[points++] = i;
  }
  pointStarts[points] = n;

  const textLimit = new Int32Array(n + 1);
  const digitsLimit = new Int32Array(n + 1);
  let textRunEnd = n;
  let digitsRunEnd = n;
  // Backwards over code points: where the current run of valid characters ends. (A surrogate
  // pair is neither a control character nor a digit, so its first unit decides.)
  for (let k = points - 1; k >= 0; k--) {
    const at = pointStarts[k] as number;
    const code = message.charCodeAt(at);
    const startsLink = linkEnd[at] !== -1;
    if (breaksLine(code) || startsLink) textRunEnd = at;
    if (!isDigit(code) || startsLink) digitsRunEnd = at;
    const cap = pointStarts[Math.min(k + TEXT_MAX_CHARACTERS, points)] as number;
    textLimit[at] = Math.min(textRunEnd, cap);
    digitsLimit[at] = Math.min(digitsRunEnd, at + DIGITS_MAX);
  }
  textLimit[n] = n;
  digitsLimit[n] = n;
  return { message, textLimit, digitsLimit, linkEnd };
}

function literalAt(message: string, literal: string, at: number): boolean {
  return literal === "" ? at === message.length : message.startsWith(literal, at);
}

/**
 * Whether the message is the template with each placeholder filled in. Linear in the
 * message's length: the offsets the match can have reached are a set, and each step moves
 * the whole set forward in one sweep (a placeholder reaches as far as the furthest start
 * allows), so no choice is ever tried twice.
 */
export function matchesTemplate(
  template: CompiledTemplate,
  scan: MessageScan,
  meter?: MatchMeter,
): boolean {
  const { message } = scan;
  const n = message.length;
  if (template.steps.length === 0) return message === template.head;
  if (!message.startsWith(template.head)) return false;
  let reached = new Uint8Array(n + 1);
  reached[template.head.length] = 1;
  let work = 0;
  for (const { kind, literalAfter } of template.steps) {
    const next = new Uint8Array(n + 1);
    let any = false;
    if (kind === "link") {
      for (let at = 0; at <= n; at++) {
        work += 1;
        const end = scan.linkEnd[at] as number;
        if (reached[at] && end > at && literalAt(message, literalAfter, end)) {
          work += literalAfter.length;
          next[end + literalAfter.length] = 1;
          any = true;
        }
      }
    } else {
      const limit = kind === "digits" ? scan.digitsLimit : scan.textLimit;
      // The furthest a placeholder begun at an earlier reached offset can extend.
      let furthest = -1;
      for (let end = 0; end <= n; end++) {
        work += 1;
        if (end > 0 && reached[end - 1]) furthest = Math.max(furthest, limit[end - 1] as number);
        if (end <= furthest) {
          work += Math.max(1, literalAfter.length);
          if (literalAt(message, literalAfter, end)) {
            next[end + literalAfter.length] = 1;
            any = true;
          }
        }
      }
    }
    if (!any) {
      if (meter) meter.steps += work;
      return false;
    }
    reached = next;
  }
  if (meter) meter.steps += work;
  return reached[n] === 1;
}

/** The first template (in the owner's order) the message matches, or undefined. */
export function firstMatchingTemplate(
  templates: readonly CompiledTemplate[],
  scan: MessageScan,
  meter?: MatchMeter,
): CompiledTemplate | undefined {
  return templates.find((template) => matchesTemplate(template, scan, meter));
}
