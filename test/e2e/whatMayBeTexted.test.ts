import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { startHttpCli } from "../helpers/httpServer.js";
import { connectClient } from "../helpers/mcpClients.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { type StdioServer, startStdioServer, texts } from "../helpers/stdioServer.js";
import { clock, localMinutes, windowAroundNow } from "../helpers/wallClock.js";

const TO = "+15551234567";
const dir = mkdtempSync(join(tmpdir(), "sms-mcp-content-"));

const TEMPLATES = [
  {
    name: "booking",
    text: "Hi {name}, your Smile Dental visit is on {day} at {time}. Reply C to cancel.",
  },
  { name: "code", text: "Your Smile Dental code is {code:digits}." },
  { name: "payment", text: "Your balance is ready to pay at {link:link} - thank you!" },
];
const TEMPLATES_FILE = join(dir, "templates.json");
writeFileSync(TEMPLATES_FILE, JSON.stringify(TEMPLATES));

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

async function withServer(
  settings: Record<string, string>,
  body: (server: StdioServer) => Promise<void>,
): Promise<void> {
  const server = await startStdioServer({ ...providerEnv(sim, "telnyx"), ...settings });
  sim.clear();
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

function expectSent(result: CallToolResult): void {
  expect(texts(result)[0], texts(result)[1]).toBe("SMS sent.");
}

function expectRefused(result: CallToolResult, category: string, reason: RegExp): void {
  expect(result.isError).toBe(true);
  expect(texts(result)[0]).toBe("SMS couldn't be sent");
  expect(texts(result)[1]).toMatch(reason);
  expect(result.structuredContent?.error).toMatchObject({ category });
}

describe("templates", () => {
  const settings = { SMS_MCP_TEMPLATES_FILE: TEMPLATES_FILE, SMS_MCP_TEMPLATES_ONLY: "1" };

  it("the tool's description lists the connection's templates", async () => {
    await withServer(settings, async ({ client }) => {
      const { tools } = await client.listTools();
      const description = tools[0]?.description ?? "";
      expect(description).toContain("sends only these texts");
      for (const { name, text } of TEMPLATES) expect(description).toContain(`${name}: "${text}"`);
    });
  });

  it("each placeholder kind is accepted, and the answer names the template", async () => {
    await withServer(settings, async ({ call }) => {
      const booking = await call({
        to_: TO,
        message:
          "Hi Ann-Marie O'Neil, your Smile Dental visit is on Tuesday 3 March at 3:30 pm. Reply C to cancel.",
      });
      expectSent(booking);
      expect(booking.structuredContent?.template).toBe("booking");
      const code = await call({ to_: TO, message: "Your Smile Dental code is 048213." });
      expectSent(code);
      expect(code.structuredContent?.template).toBe("code");
      const payment = await call({
        to_: TO,
        message: "Your balance is ready to pay at https://pay.smiledental.com/i/8812 - thank you!",
      });
      expectSent(payment);
      expect(payment.structuredContent?.template).toBe("payment");
      expect(sim.requests()).toHaveLength(3);
    });
  });

  it.each([
    ["free text", "Hello, please call us back"],
    ["letters in a digits placeholder", "Your Smile Dental code is 04a213."],
    ["13 digits", "Your Smile Dental code is 1234567890123."],
    ["no digits", "Your Smile Dental code is ."],
    [
      "a line break smuggled into a text placeholder",
      "Hi Ann,\nverify at evil.com, your Smile Dental visit is on Tue at 3pm. Reply C to cancel.",
    ],
    [
      "a link smuggled into a text placeholder",
      "Hi Ann see evil.com/x, your Smile Dental visit is on Tue at 3pm. Reply C to cancel.",
    ],
    [
      "an email smuggled into a text placeholder",
      "Hi ann@evil.com, your Smile Dental visit is on Tue at 3pm. Reply C to cancel.",
    ],
    [
      "a text placeholder over 64 characters",
      `Hi ${"A".repeat(65)}, your Smile Dental visit is on Tue at 3pm. Reply C to cancel.`,
    ],
    ["other whitespace than the template's", "Your Smile Dental code is  048213."],
    [
      "no link in a link placeholder",
      "Your balance is ready to pay at the front desk - thank you!",
    ],
    ["text added after the template", "Your Smile Dental code is 048213. Also visit evil.com"],
  ])("%s is refused, the reason shows the templates, nothing is sent", async (_, message) => {
    await withServer(settings, async ({ call }) => {
      const result = await call({ to_: TO, message });
      expectRefused(
        result,
        "template_mismatch",
        /matches none of this connection's templates.*booking: "Hi \{name\}/,
      );
      expect(result.structuredContent?.error).toMatchObject({ retryable: true });
      expect(sim.requests()).toHaveLength(0);
    });
  });

  it("without templatesOnly a text that matches none is sent, without a template name", async () => {
    await withServer({ SMS_MCP_TEMPLATES_FILE: TEMPLATES_FILE }, async ({ call, client }) => {
      const { tools } = await client.listTools();
      expect(tools[0]?.description).toContain("use one of them when it fits");
      const result = await call({ to_: TO, message: "See you soon!" });
      expectSent(result);
      expect(result.structuredContent?.template).toBeUndefined();
      expect(sim.requests()).toHaveLength(1);
    });
  });
});

describe("allowed link domains", () => {
  const settings = { SMS_MCP_ALLOWED_LINK_DOMAINS: "pay.smiledental.com,smiledental.org" };

  it.each([
    ["user info", "Pay at https://pay.smiledental.com@evil.com/x now", "evil.com"],
    [
      "a look-alike subdomain",
      "Pay at pay.smiledental.com.evil.io/login",
      "pay.smiledental.com.evil.io",
    ],
    ["an upper-case scheme", "Pay at HTTPS://EVIL.COM/x", "evil.com"],
    ["a bare domain", "Details: evil.example/x", "evil.example"],
    ["a new top-level domain", "Details: evil.zip", "evil.zip"],
    ["an IP address", "Pay at http://192.168.0.1/pay", "192.168.0.1"],
    ["a bare IP address", "Pay at 10.0.0.1/pay", "10.0.0.1"],
    ["an IP address written as one number", "Pay at http://3232235521/", "192.168.0.1"],
    ["a Unicode look-alike host", "Pay at pаy.smiledental.com/x", "xn--py-7kc.smiledental.com"],
    ["a punycode host", "Pay at xn--smledental-e9a.org/x", "xn--smledental-e9a.org"],
    ["a shortener", "Pay at bit.ly/3xYz", "bit.ly"],
    ["an ideographic full stop", "Pay at evil。com/x", "evil.com"],
    [
      "a percent-encoded dot after an allowed host",
      "Pay at https://pay.smiledental.com%2Eevil.com/",
      "pay.smiledental.com.evil.com",
    ],
    ["a parent of an allowed host", "Pay at https://smiledental.com/x", "smiledental.com"],
    ["an email address", "Write to billing@evil.com", "evil.com"],
    ["a bare domain with a port", "Pay at evil.com:8080/pay", "evil.com"],
    ["a bare domain glued to a colon", "Pay now:www.evil.com", "www.evil.com"],
    ["user info behind a parenthesis", "Pay at https://pay.smiledental.com(@evil.com", "evil.com"],
  ])("%s is refused naming the host, nothing is sent", async (_, message, host) => {
    await withServer(settings, async ({ call }) => {
      const result = await call({ to_: TO, message });
      expectRefused(
        result,
        "link_not_allowed",
        new RegExp(`${host.replace(/\./g, "\\.")}, which is not on`),
      );
      expect(sim.requests()).toHaveLength(0);
    });
  });

  it("links on an allowed host or its subdomains are sent, with the carrier note", async () => {
    await withServer(settings, async ({ call }) => {
      for (const message of [
        "Pay at https://pay.smiledental.com/i/1",
        "Pay at HTTPS://PAY.SMILEDENTAL.COM/i/2.",
        "See www.smiledental.org/hours or smiledental.org",
        "Pay at https://eu.pay.smiledental.com/i/3",
        "Pay at https://pay.smiledental.com, thanks (or at smiledental.org's desk)!",
      ]) {
        const result = await call({ to_: TO, message });
        expectSent(result);
        expect(String(result.structuredContent?.notes)).toMatch(/contains a link/);
      }
      expect(sim.requests()).toHaveLength(5);
    });
  });

  it('"none" refuses every link; unset, links pass as before', async () => {
    await withServer({ SMS_MCP_ALLOWED_LINK_DOMAINS: "none" }, async ({ call, client }) => {
      expect((await client.listTools()).tools[0]?.description).toContain("may not contain links");
      expectRefused(
        await call({ to_: TO, message: "Pay at https://pay.smiledental.com/i/1" }),
        "link_not_allowed",
        /sends no links/,
      );
      expectSent(await call({ to_: TO, message: "No link here, see you at 3.30pm." }));
      expect(sim.requests()).toHaveLength(1);
    });
    await withServer({}, async ({ call }) => {
      expectSent(
        await call({ to_: TO, message: "Your account is locked, verify at http://bit.ly/x" }),
      );
      expect(sim.requests()).toHaveLength(1);
    });
  });
});

describe("quiet hours in the recipient's local time", () => {
  const auditLog = join(dir, "audit.jsonl");

  it.each([
    ["New York", "+12125550123", "America/New_York"],
    ["Honolulu", "+18085550123", "Pacific/Honolulu"],
    ["India (UTC+5:30)", "+919812345678", "Asia/Calcutta"],
  ])(
    "%s: refused inside the window with the time it opens, sent outside it",
    async (_, to, zone) => {
      const now = localMinutes(zone);
      const around = `${clock(now - 60)}-${clock(now + 60)}`;
      const base = { SMS_MCP_ALLOWED_COUNTRIES: "*", SMS_MCP_AUDIT_LOG: auditLog };
      await withServer({ ...base, SMS_MCP_QUIET_HOURS: around }, async ({ call }) => {
        const result = await call({ to_: to, message: "Your Smile Dental visit is tomorrow" });
        expectRefused(result, "quiet_hours", new RegExp(`it is \\d\\d:\\d\\d in ${zone}`, "i"));
        const error = result.structuredContent?.error as {
          retryable: boolean;
          retryAfterSeconds: number;
        };
        expect(error.retryable).toBe(true);
        // Until the window's end, an hour away less the seconds of this minute gone.
        expect(error.retryAfterSeconds).toBeGreaterThan(3540 - 120);
        expect(error.retryAfterSeconds).toBeLessThanOrEqual(3600 + 120);
        expect(sim.requests()).toHaveLength(0);
      });
      const later = `${clock(now + 120)}-${clock(now + 180)}`;
      await withServer({ ...base, SMS_MCP_QUIET_HOURS: later }, async ({ call }) => {
        expectSent(await call({ to_: to, message: "Your Smile Dental visit is tomorrow" }));
        expect(sim.requests()).toHaveLength(1);
      });
      const lines = readFileSync(auditLog, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const refused = lines.filter((l) => l.to === to && l.outcome === "refused");
      expect(refused.at(-1)).toMatchObject({ errorCategory: "quiet_hours" });
    },
  );

  it("an allow-listed number is not exempt", async () => {
    const to = "+12125550123";
    await withServer(
      { SMS_MCP_ALLOW_LIST: to, SMS_MCP_QUIET_HOURS: windowAroundNow("America/New_York") },
      async ({ call }) => {
        expectRefused(await call({ to_: to, message: "Hi" }), "quiet_hours", /quiet hours/);
        expect(sim.requests()).toHaveLength(0);
      },
    );
  });
});

describe("every mode runs the same rules before any claim", () => {
  const rules = {
    SMS_MCP_TEMPLATES_FILE: TEMPLATES_FILE,
    SMS_MCP_TEMPLATES_ONLY: "1",
    SMS_MCP_ALLOWED_LINK_DOMAINS: "pay.smiledental.com",
    SMS_MCP_QUIET_HOURS: "21:00-08:00",
  };

  it("a 2026-07-28 client over Streamable HTTP", async () => {
    const http = await startHttpCli({ ...providerEnv(sim, "telnyx"), ...rules });
    try {
      const client = await connectClient("v2 auto", "streamable-http", { env: {}, url: http.url });
      try {
        expect(client.era).toBe("modern");
        sim.clear();
        const refused = await client.send({ to_: TO, message: "Verify at https://bit.ly/x" });
        expect(refused.texts[0]).toBe("SMS couldn't be sent");
        expect(refused.structured.error).toMatchObject({ category: "link_not_allowed" });
        const mismatch = await client.send({ to_: TO, message: "Hello there" });
        expect(mismatch.structured.error).toMatchObject({ category: "template_mismatch" });
        expect(sim.requests()).toHaveLength(0);
      } finally {
        await client.close();
      }
    } finally {
      await http.stop();
    }
  });

  it("the CLI's send, and a dry run, refuse the same way and exit 1", async () => {
    for (const dryRun of ["0", "1"]) {
      sim.clear();
      const run = await runCli(["send", "--to", TO, "--message", "Verify at https://bit.ly/x"], {
        ...providerEnv(sim, "telnyx"),
        ...rules,
        SMS_MCP_DRY_RUN: dryRun,
      });
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toMatch(
        /bit\.ly, which is not on this connection's link domains/,
      );
      expect(sim.requests()).toHaveLength(0);
    }
  });

  it("sms-mcp check prints the connection's rules", async () => {
    const env = { ...providerEnv(sim, "telnyx"), ...rules };
    const run = await runCli(["check"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("templates: booking, code, payment (only these may be sent)");
    expect(run.stdout).toContain("links: only to pay.smiledental.com and their subdomains");
    expect(run.stdout).toContain("quiet hours: 21:00-08:00 in the recipient's local time");
    const json = JSON.parse((await runCli(["check", "--json"], env)).stdout);
    expect(json.rules).toHaveLength(3);
  });
});

describe("settings that cannot work stop the start, naming the setting", () => {
  it.each([
    ["SMS_MCP_QUIET_HOURS", "9pm-8am", /SMS_MCP_QUIET_HOURS must be a daily window/],
    [
      "SMS_MCP_QUIET_HOURS",
      "08:00-08:00",
      /SMS_MCP_QUIET_HOURS: quiet hours must start and end at different times/,
    ],
    [
      "SMS_MCP_ALLOWED_LINK_DOMAINS",
      "https://pay.example.com/x",
      /SMS_MCP_ALLOWED_LINK_DOMAINS.*is not a host name/,
    ],
    [
      "SMS_MCP_ALLOWED_LINK_DOMAINS",
      "10.0.0.1",
      /SMS_MCP_ALLOWED_LINK_DOMAINS.*is not a host name/,
    ],
    [
      "SMS_MCP_TEMPLATES_FILE",
      join(dir, "missing.json"),
      /SMS_MCP_TEMPLATES_FILE: cannot read .*ENOENT/,
    ],
    [
      "SMS_MCP_TEMPLATES_ONLY",
      "1",
      /templatesOnly is on \(SMS_MCP_TEMPLATES_ONLY\), but the connection has no templates/,
    ],
  ])("%s=%s", async (variable, value, expected) => {
    const run = await runCli(["serve"], { ...providerEnv(sim, "telnyx"), [variable]: value });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(expected);
  });

  it("a template with an unknown placeholder kind", async () => {
    const file = join(dir, "bad-templates.json");
    writeFileSync(file, JSON.stringify([{ name: "visit", text: "See you {when:date}." }]));
    const run = await runCli(["serve"], {
      ...providerEnv(sim, "telnyx"),
      SMS_MCP_TEMPLATES_FILE: file,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /SMS_MCP_TEMPLATES_FILE: template "visit": \{when:date\} has an unknown kind "date": use \{when\}, \{when:digits\} or \{when:link\}/,
    );
  });
});
