import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGuardrail } from "../../src/config/guardrailSettings.js";
import { type QuietHours, quietHoursRule } from "../../src/sms/guardrails/quietHours.js";
import {
  type CompiledTemplate,
  compileTemplates,
  type MatchMeter,
  matchesTemplate,
  parseTemplate,
  scanMessage,
} from "../../src/sms/guardrails/templates.js";
import { linkDomainOf } from "../../src/sms/hosts.js";
import { type FoundLink, findLinks } from "../../src/sms/links.js";

function compile(text: string): CompiledTemplate {
  return compileTemplates([{ name: "t", text }])[0] as CompiledTemplate;
}

function matches(template: string, message: string, meter?: MatchMeter): boolean {
  return matchesTemplate(compile(template), scanMessage(message, findLinks(message)), meter);
}

/**
 * The obvious matcher, to check the linear one against: try every split, recursively.
 * Exponential, so only for short messages.
 */
function referenceMatch(template: CompiledTemplate, message: string, links: FoundLink[]): boolean {
  const linkStarts = new Map(links.map((link) => [link.start, link.end]));
  const noLinkStarts = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (linkStarts.has(i)) return false;
    return true;
  };
  const valueFits = (kind: string, from: number, to: number): boolean => {
    const value = message.slice(from, to);
    if (kind === "link") return linkStarts.get(from) === to;
    if (!noLinkStarts(from, to)) return false;
    if (kind === "digits") return /^[0-9]{1,12}$/.test(value);
    const characters = [...value].length;
    return (
      characters >= 1 && characters <= 64 && !/[\n\r\v\f\u0085\u2028\u2029\p{Cc}]/u.test(value)
    );
  };
  const from = (step: number, at: number): boolean => {
    if (step === template.steps.length) return at === message.length;
    const { kind, literalAfter } = template.steps[step] as CompiledTemplate["steps"][number];
    for (let end = at + 1; end <= message.length; end++) {
      if (!valueFits(kind, at, end)) continue;
      const literalEnds =
        literalAfter === "" ? end === message.length : message.startsWith(literalAfter, end);
      if (literalEnds && from(step + 1, end + literalAfter.length)) return true;
    }
    return false;
  };
  if (template.steps.length === 0) return message === template.head;
  return message.startsWith(template.head) && from(0, template.head.length);
}

describe("templates", () => {
  it("placeholders of each kind, exact text around them", () => {
    expect(matches("Hi {name}, see you at {time}.", "Hi Ann Lee, see you at 3:30 pm.")).toBe(true);
    expect(matches("Hi {name}, see you at {time}.", "Hi Ann Lee, see you at 3:30 pm")).toBe(false);
    expect(matches("Hi {name}, see you.", "Hi  Ann, see you.")).toBe(true);
    expect(matches("Hi {name}, see you.", "Hi, see you.")).toBe(false);
    expect(matches("Code {c:digits}.", "Code 123456789012.")).toBe(true);
    expect(matches("Code {c:digits}.", "Code 1234567890123.")).toBe(false);
    expect(matches("Code {c:digits}.", "Code ١٢٣.")).toBe(false);
    expect(matches("Pay at {url:link} today", "Pay at https://pay.example.com/x?y=1 today")).toBe(
      true,
    );
    expect(matches("Pay at {url:link} today", "Pay at https://a.com/x b.com today")).toBe(false);
    expect(matches("Pay at {url:link}", "Pay at the desk")).toBe(false);
  });

  it("a text placeholder takes no line break, no link, and 64 characters at most (emoji count once)", () => {
    expect(matches("Hi {name}!", "Hi Ann\nvisit!")).toBe(false);
    expect(matches("Hi {name}!", "Hi Ann\u2028visit!")).toBe(false);
    expect(matches("Hi {name}!", "Hi see evil.com!")).toBe(false);
    expect(matches("Hi {name}!", "Hi ann@evil.com!")).toBe(false);
    expect(matches("Hi {name}!", `Hi ${"a".repeat(64)}!`)).toBe(true);
    expect(matches("Hi {name}!", `Hi ${"a".repeat(65)}!`)).toBe(false);
    expect(matches("Hi {name}!", `Hi ${"😀".repeat(64)}!`)).toBe(true);
    expect(matches("Hi {name}!", `Hi ${"😀".repeat(65)}!`)).toBe(false);
  });

  it("a link in the template's own text may go on into a placeholder", () => {
    expect(
      matches("Pay: https://pay.example.com/i/{id:digits}", "Pay: https://pay.example.com/i/42"),
    ).toBe(true);
  });

  it("braces, and templates that cannot work, are told apart", () => {
    expect(parseTemplate("Use {{code}} then {c:digits}")).toMatchObject({
      head: "Use {code} then ",
    });
    expect(parseTemplate("{a}{b}")).toMatch(/touch: put text between two placeholders/);
    expect(parseTemplate("See {when:date}")).toMatch(/unknown kind "date"/);
    expect(parseTemplate("See {when")).toMatch(/never closed/);
    expect(parseTemplate("See when}")).toMatch(/closes no placeholder/);
    expect(parseTemplate("See {1x}")).toMatch(/is not a placeholder/);
    expect(() =>
      compileTemplates([
        { name: "a", text: "x" },
        { name: "a", text: "y" },
      ]),
    ).toThrow(/two templates are named "a"/);
  });

  const literal = fc.constantFrom("Hi ", ", ", ".", " at ", "a", "1", " ", "x.com", "\n");
  const placeholder = fc.constantFrom("{n}", "{d:digits}", "{u:link}");
  const templateText = fc
    .tuple(fc.option(literal), fc.array(fc.tuple(placeholder, literal), { maxLength: 4 }))
    .map(([head, rest]) => (head ?? "") + rest.map(([p, l]) => p + l).join(""));
  const hostile = fc
    .array(fc.constantFrom("Hi ", ", ", ".", " at ", "a", "1", " ", "x.com", "\n", "22", "é"), {
      maxLength: 12,
    })
    .map((parts) => parts.join(""));

  it("agrees with a matcher that tries every split (property)", () => {
    fc.assert(
      fc.property(templateText, hostile, (text, message) => {
        const template = compile(text);
        const links = findLinks(message);
        const linear = matchesTemplate(template, scanMessage(message, links));
        expect(linear).toBe(referenceMatch(template, message, links));
      }),
      { numRuns: 2000 },
    );
  });

  it("its work is bounded by the message's length times the template's size (property)", () => {
    const long = fc
      .array(fc.constantFrom("a", " ", ", ", "1", "x.com ", "\n", "Hi "), { maxLength: 800 })
      .map((parts) => parts.join("").slice(0, 1600));
    fc.assert(
      fc.property(templateText, long, (text, message) => {
        const template = compile(text);
        const meter = { steps: 0 };
        matchesTemplate(template, scanMessage(message, findLinks(message)), meter);
        const perOffset = template.steps.reduce(
          (sum, step) => sum + 1 + Math.max(1, step.literalAfter.length),
          0,
        );
        expect(meter.steps).toBeLessThanOrEqual((message.length + 1) * perOffset);
      }),
      { numRuns: 300 },
    );
  });
});

function clockOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

describe("quiet hours", () => {
  const night = { start: "21:00", end: "08:00" };
  const at = (iso: string) => Date.parse(iso);

  it("New York's spring-forward night: it opens at 08:00 EDT, six hours after 01:00 EST", () => {
    const decision = quietHoursRule(
      "+12125550123",
      ["America/New_York"],
      night,
      at("2026-03-08T06:00:00Z"),
    );
    expect(decision).toMatchObject({ allowed: false, category: "quiet_hours", retryable: true });
    expect(decision.allowed === false && decision.retryAfterSeconds).toBe(6 * 3600);
    expect(decision.allowed === false && decision.reason).toMatch(
      /it is 01:00 in America\/New_York/,
    );
  });

  it("New York's fall-back night: 01:30 EDT is seven and a half hours before 08:00 EST", () => {
    const decision = quietHoursRule(
      "+12125550123",
      ["America/New_York"],
      night,
      at("2026-11-01T05:30:00Z"),
    );
    expect(decision.allowed === false && decision.retryAfterSeconds).toBe(7.5 * 3600);
  });

  it("India's half-hour offset: 21:30 IST waits until 08:00 IST", () => {
    const decision = quietHoursRule(
      "+919812345678",
      ["Asia/Calcutta"],
      night,
      at("2026-06-01T16:00:00Z"),
    );
    expect(decision.allowed === false && decision.reason).toMatch(/21:30 in Asia\/Calcutta/);
    expect(decision.allowed === false && decision.retryAfterSeconds).toBe(10.5 * 3600);
    expect(
      quietHoursRule("+919812345678", ["Asia/Calcutta"], night, at("2026-06-01T15:29:00Z")),
    ).toEqual({
      allowed: true,
    });
  });

  it("Lord Howe's half-hour daylight saving change is followed", () => {
    // 2026-10-04 02:00 local (UTC+10:30) becomes 02:30 (UTC+11).
    const decision = quietHoursRule(
      "+61255501234",
      ["Australia/Lord_Howe"],
      night,
      at("2026-10-03T15:00:00Z"),
    );
    expect(decision.allowed === false && decision.reason).toMatch(/01:30 in Australia\/Lord_Howe/);
    // 08:00 at UTC+11 is 21:00Z: 6 hours after 15:00Z.
    expect(decision.allowed === false && decision.retryAfterSeconds).toBe(6 * 3600);
  });

  it("zones that disagree wait until it is day in all of them", () => {
    const zones = ["America/New_York", "America/Los_Angeles"];
    // 08:30 in New York, 05:30 in Los Angeles: 08:00 there is 15:00Z.
    const decision = quietHoursRule("+1", zones, night, at("2026-06-01T12:30:00Z"));
    expect(decision.allowed === false && decision.retryAfterSeconds).toBe(2.5 * 3600);
    // 20:30 in Los Angeles, 23:30 in New York: refused for New York's sake.
    expect(quietHoursRule("+1", zones, night, at("2026-06-02T03:30:00Z")).allowed).toBe(false);
    expect(quietHoursRule("+1", zones, night, at("2026-06-01T16:00:00Z")).allowed).toBe(true);
  });

  it("zones never all outside the window at once, or none known, are refused for good", () => {
    const wide = quietHoursRule(
      "+1555",
      ["Europe/London", "Asia/Shanghai", "America/Los_Angeles"],
      night,
      at("2026-01-15T12:00:00Z"),
    );
    expect(wide).toMatchObject({ allowed: false, retryable: false });
    expect(quietHoursRule("+999", [], night, 0)).toMatchObject({
      allowed: false,
      retryable: false,
    });
    expect(quietHoursRule("+999", ["Mars/Olympus_Mons"], night, 0)).toMatchObject({
      allowed: false,
      retryable: false,
    });
  });

  it("a window within one day, and its edges: the end minute is already open", () => {
    const lunch = { start: "12:00", end: "13:00" };
    const london = ["Europe/London"];
    expect(quietHoursRule("+44", london, lunch, at("2026-01-10T11:59:59Z")).allowed).toBe(true);
    expect(quietHoursRule("+44", london, lunch, at("2026-01-10T12:00:00Z")).allowed).toBe(false);
    expect(quietHoursRule("+44", london, lunch, at("2026-01-10T13:00:00Z")).allowed).toBe(true);
  });

  it.each([
    // Santiago springs from 00:00 to 01:00 on 2026-09-06: the end, midnight, never comes.
    ["Santiago", ["America/Santiago"], "21:00-00:00", "2026-09-06T03:00:00Z", 3600, "01:00"],
    // London springs from 01:00 to 02:00 on 2026-03-29: 01:30 never comes.
    ["London", ["Europe/London"], "23:00-01:30", "2026-03-29T00:40:00Z", 1200, "02:00"],
    // Lord Howe springs from 02:00 to 02:30 on 2026-10-04: 02:15 never comes.
    ["Lord Howe", ["Australia/Lord_Howe"], "01:00-02:15", "2026-10-03T15:25:00Z", 300, "02:30"],
  ])(
    "an end that %s's clock change skips opens at the jump",
    (_, zones, span, iso, wait, local) => {
      const [start = "", end = ""] = span.split("-");
      const decision = quietHoursRule("+1", zones, { start, end }, at(iso));
      expect(decision.allowed === false && decision.retryAfterSeconds).toBe(wait);
      expect(decision.allowed === false && decision.reason).toContain(`at ${local} their time`);
    },
  );

  it("zones whose open hours overlap only after a clock change: opens then, not never", () => {
    // 12:30-08:00 leaves 08:00-12:30 open: 13:00-17:30Z in New York (EST), 08:00-12:30Z in
    // London. From 2026-03-08, EDT moves New York's to 12:00-16:30Z: both are open from 12:00Z,
    // 32 h 18 min after 03:42Z the day before.
    const zones = ["America/New_York", "Europe/London"];
    const window = { start: "12:30", end: "08:00" };
    const decision = quietHoursRule("+1", zones, window, at("2026-03-07T03:42:00Z"));
    expect(decision.allowed === false && decision.retryAfterSeconds).toBe(116_280);
  });

  it("agrees with a minute-by-minute scan of the next two days, across clock changes (property)", () => {
    const zoneSets = fc.subarray(
      [
        "America/New_York",
        "Europe/London",
        "America/Santiago",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
      ],
      { minLength: 1, maxLength: 3 },
    );
    const minute = fc.integer({ min: 0, max: 1439 });
    // Near a change in one of the zones, where the arithmetic is hardest.
    const changes = ["2026-03-08", "2026-03-29", "2026-09-06", "2026-10-04", "2026-11-01"];
    const instant = fc
      .tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * 60, max: 36 * 60 }))
      .map(([day, offset]) => Date.parse(`${day}T00:00:00Z`) + offset * 60_000);
    const openAt = (zones: string[], window: QuietHours, when: number) =>
      quietHoursRule("+1", zones, window, when).allowed;
    fc.assert(
      fc.property(zoneSets, minute, minute, instant, (zones, start, end, now) => {
        fc.pre(start !== end);
        const window = { start: clockOf(start), end: clockOf(end) };
        const decision = quietHoursRule("+1", zones, window, now);
        if (decision.allowed) return;
        let scanned: number | undefined;
        for (let m = 1; m <= 2 * 1440 && scanned === undefined; m++) {
          if (openAt(zones, window, now + m * 60_000)) scanned = m * 60;
        }
        if (!decision.retryable) expect(scanned).toBeUndefined();
        else if (scanned !== undefined) {
          expect(decision.retryAfterSeconds).toBeLessThanOrEqual(scanned);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("retryAfterSeconds always lands outside every zone's window (property)", () => {
    const zoneSets = fc.subarray(
      [
        "America/New_York",
        "America/Chicago",
        "Europe/London",
        "Asia/Calcutta",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
      ],
      { minLength: 1, maxLength: 3 },
    );
    const clock = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
    const instant = fc.integer({ min: Date.parse("2026-01-01"), max: Date.parse("2027-12-31") });
    fc.assert(
      fc.property(zoneSets, clock, clock, instant, (zones, start, end, now) => {
        fc.pre(start !== end);
        const window = { start, end };
        const decision = quietHoursRule("+1", zones, window, now);
        if (decision.allowed || !decision.retryable) return;
        const opens = now + (decision.retryAfterSeconds ?? 0) * 1000;
        expect(quietHoursRule("+1", zones, window, opens).allowed).toBe(true);
        // And not a minute earlier than it has to be.
        expect(quietHoursRule("+1", zones, window, opens - 60_000).allowed).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("links as a phone finds them", () => {
  const hostsIn = (text: string) => findLinks(text).map((link) => link.hosts);

  it.each([
    ["a port", "Pay at evil.com:8080/pay", [["evil.com"]]],
    ["a colon before it", "Pay now:evil.com/x", [["evil.com"]]],
    ["a scheme without slashes", "http:evil.com", [["evil.com"]]],
    ["a colon before www", "Tap:www.evil.com", [["www.evil.com"]]],
    ["an emoji after it", "evil.com👈", [["evil.com"]]],
    [
      "symbols after it",
      "evil.com| evil.org+ evil.net=x",
      [["evil.com"], ["evil.org"], ["evil.net"]],
    ],
    ["full-width letters and a port", "ｅｖｉｌ．ｃｏｍ:80", [["evil.com"]]],
    ["a dotted quad with a port", "1.2.3.4:80", [["1.2.3.4"]]],
    [
      "user info behind a parenthesis",
      "https://pay.example.com(@evil.com|",
      [["pay.example.com", "evil.com"], ["evil.com"]],
    ],
  ])("a bare host with %s is a link", (_, text, hosts) => {
    expect(hostsIn(text)).toEqual(hosts);
  });

  it.each([
    ["a comma", "Pay at https://pay.example.com, thanks"],
    ["brackets", "(pay.example.com)"],
    ["an exclamation mark", "pay.example.com!"],
    ["a possessive", "pay.example.com's"],
    ["quotes", '"pay.example.com" or “pay.example.com”'],
    ["a port and a path", "https://pay.example.com:8443/invoice.pdf"],
    ["an address in the query", "https://pay.example.com/x?e=a@b.com&f=evil.com"],
  ])("punctuation around a link (%s) is not part of its host", (_, text) => {
    expect(new Set(hostsIn(text).flat())).toEqual(new Set(["pay.example.com"]));
  });

  it("prices, versions, phone numbers and abbreviations are not links", () => {
    expect(
      findLinks("Total 12.50, version 2.4.1, call 1.800.555.0199. Mr.Smith e.g. U.S."),
    ).toEqual([]);
  });

  it("a run whose user info cannot be read has no host, so no list allows it", () => {
    expect(hostsIn("https://pay.example.com@[evil")).toEqual([[]]);
  });
});

describe("content settings as written", () => {
  it("link domains are read as the hosts they name", () => {
    expect(linkDomainOf("PAY.Example.COM.")).toBe("pay.example.com");
    expect(linkDomainOf("bücher.example")).toBe("xn--bcher-kva.example");
    for (const bad of [
      "https://pay.example.com",
      "pay.example.com/x",
      "10.0.0.1",
      "localhost",
      "",
      "*.example.com",
      ".example.com",
      "a..b.com",
      "x;y.com",
    ]) {
      expect(linkDomainOf(bad)).toBeUndefined();
    }
    expect(parseGuardrail("allowedLinkDomains", " pay.example.com , example.org ", "X")).toEqual([
      "pay.example.com",
      "example.org",
    ]);
    expect(parseGuardrail("allowedLinkDomains", "none", "X")).toEqual([]);
  });

  it("at most 50 templates, since the tool's description lists them all", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sms-mcp-templates-")), "templates.json");
    const many = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ name: `t${i}`, text: `Reminder ${i}: {when}` }));
    writeFileSync(file, JSON.stringify(many(50)));
    expect(parseGuardrail("templates", file, "X")).toHaveLength(50);
    writeFileSync(file, JSON.stringify(many(51)));
    expect(() => parseGuardrail("templates", file, "X")).toThrow(/at most 50 templates/);
  });

  it("quiet hours are HH:MM-HH:MM", () => {
    expect(parseGuardrail("quietHours", "21:00 - 08:00", "X")).toEqual({
      start: "21:00",
      end: "08:00",
    });
    for (const typed of ["21:00–8:00", "21:00 — 08:00"]) {
      expect(parseGuardrail("quietHours", typed, "X")).toEqual({ start: "21:00", end: "08:00" });
    }
    expect(() => parseGuardrail("quietHours", "21:00-24:00", "X")).toThrow(/X.*HH:MM/);
    expect(() => parseGuardrail("quietHours", "9pm-8am", "X")).toThrow(/X.*HH:MM/);
    expect(() => parseGuardrail("quietHours", "21:00", "X")).toThrow(/X must be a daily window/);
  });
});
