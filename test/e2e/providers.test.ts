import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendSmsJsonSchemas } from "../../src/server/sendSmsSchemas.js";
import type { ReceivedRequest } from "../../src/simulator/http.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { PROVIDER_NAMES, type ProviderName } from "../../src/sms/providerNames.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { type StdioServer, startStdioServer, texts } from "../helpers/stdioServer.js";

const TO = "+15551234567";
const MESSAGE = "Your code is 482913. It expires in 10 minutes.";

function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
}

/** What each provider's real API must receive for one send, as its SDK puts it on the wire. */
function expectProviderRequest(provider: ProviderName, sim: Simulator, request: ReceivedRequest) {
  const { twilio, plivo, telnyx } = sim.accounts;
  expect(request.method).toBe("POST");
  switch (provider) {
    case "twilio":
      expect(request.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
      expect(request.headers.authorization).toBe(basic(twilio.accountSid, twilio.authToken));
      expect(request.headers["content-type"]).toContain("application/x-www-form-urlencoded");
      expect(request.body).toEqual({ To: TO, From: twilio.numbers[0], Body: MESSAGE });
      break;
    case "plivo":
      expect(request.path).toBe(`/v1/Account/${plivo.authId}/Message/`);
      expect(request.headers.authorization).toBe(basic(plivo.authId, plivo.authToken));
      expect(request.headers["content-type"]).toContain("application/json");
      expect(request.body).toEqual({ src: plivo.numbers[0], dst: TO, text: MESSAGE });
      break;
    case "telnyx":
      expect(request.path).toBe("/v2/messages");
      expect(request.headers.authorization).toBe(`Bearer ${telnyx.apiKey}`);
      expect(request.headers["content-type"]).toContain("application/json");
      expect(request.body).toEqual({ from: telnyx.numbers[0], to: TO, text: MESSAGE });
      break;
  }
}

const FAILURES = [
  {
    to: "+15005550001",
    category: "invalid_recipient",
    reason: /not a valid mobile number/,
    requests: 1,
  },
  { to: "+15005550002", category: "opted_out", reason: /opted out \(replied STOP\)/, requests: 1 },
  { to: "+15005550003", category: "too_long", reason: /too long/, requests: 1 },
  // 429 means the provider certainly did not take the text: one safe retry, then report.
  { to: "+15005550004", category: "rate_limited", reason: /rate limiting/, requests: 2 },
  // A 500 or no answer in time: the text may be on its way, so it is never resent (any retry,
  // ours or the SDK's, would happen inside the call, before it answered) nor retryable.
  {
    to: "+15005550005",
    category: "provider_unavailable",
    reason: /may or may not have been sent/,
    requests: 1,
    retryable: false,
  },
  {
    to: "+15005550006",
    category: "provider_unavailable",
    reason: /did not answer in time/,
    requests: 1,
    retryable: false,
  },
] as const;

describe.each(PROVIDER_NAMES)("send_sms over stdio with %s", (provider) => {
  let sim: Simulator;
  let server: StdioServer;

  beforeAll(async () => {
    sim = await startSimulator();
    server = await startStdioServer({ ...providerEnv(sim, provider), SMS_MCP_TIMEOUT_MS: "1000" });
  });
  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });
  beforeEach(() => sim.clear());

  it("lists exactly one tool, send_sms, with the contract's schema", async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["send_sms"]);
    const [tool] = tools;
    expect(tool?.inputSchema).toMatchObject({
      type: "object",
      properties: {
        to_: { type: "string" },
        message: { type: "string" },
        from_: { type: "string" },
      },
      required: ["to_", "message"],
      additionalProperties: false,
    });
    expect(Object.keys(tool?.inputSchema.properties ?? {}).sort()).toEqual([
      "from_",
      "message",
      "to_",
    ]);
    expect(tool?.annotations).toMatchObject({
      readOnlyHint: false,
      idempotentHint: false,
      openWorldHint: true,
    });
    // The bundle ships these precomputed: they must be exactly what the zod schemas give.
    expect(tool?.inputSchema).toEqual(sendSmsJsonSchemas.inputSchema);
    expect(tool?.outputSchema).toEqual(sendSmsJsonSchemas.outputSchema);
    expect(tool?.description).toMatch(/confirm/i);
    expect(tool?.description).toMatch(/E\.164/);
    expect(tool?.description).toMatch(/marketing/i);
  });

  it("its schemas keep to the subset every host reads: one type per field, real integer bounds", async () => {
    const { tools } = await server.client.listTools();
    const problems: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== "object" || node === null) return;
      const schema = node as Record<string, unknown>;
      if (Array.isArray(schema.type)) problems.push(`${path}: type is a list`);
      for (const key of ["anyOf", "oneOf", "allOf", "$ref", "$defs"]) {
        if (key in schema) problems.push(`${path}: uses ${key}`);
      }
      for (const key of ["minimum", "maximum"]) {
        const bound = schema[key];
        if (typeof bound === "number" && Math.abs(bound) > 2 ** 31) {
          problems.push(`${path}: ${key} ${bound}`);
        }
      }
      for (const [key, child] of Object.entries(schema)) walk(child, `${path}/${key}`);
    };
    walk(tools[0]?.inputSchema, "inputSchema");
    walk(tools[0]?.outputSchema, "outputSchema");
    expect(problems).toEqual([]);
  });

  it("repeats structuredContent as the last text block, for hosts without structured output", async () => {
    const sent = await server.call({ to_: TO, message: "Your details, twice over" });
    expect(texts(sent)).toEqual(["SMS sent.", JSON.stringify(sent.structuredContent)]);
    const refused = await server.call({ to_: "+1555", message: "Your details, twice over" });
    const [answer, reason, details] = texts(refused);
    expect([answer, reason]).toEqual(["SMS couldn't be sent", expect.any(String)]);
    expect(JSON.parse(details ?? "")).toEqual(refused.structuredContent);
  });

  it("sends, answers exactly 'SMS sent.', and the provider receives one correct request", async () => {
    const result = await server.call({ to_: TO, message: MESSAGE });
    expect(result.isError).toBeFalsy();
    expect(texts(result)[0]).toBe("SMS sent.");
    expect(result.structuredContent).toMatchObject({
      status: "sent",
      provider,
      to: TO,
      from: sim.accounts[provider].numbers[0],
      segments: 1,
      encoding: "GSM-7",
    });
    expect(result.structuredContent?.messageId).toEqual(expect.any(String));
    const requests = sim.requests();
    expect(requests).toHaveLength(1);
    expectProviderRequest(provider, sim, requests[0] as ReceivedRequest);
  });

  it("sends from from_ when it is given", async () => {
    const from = sim.accounts[provider].numbers[1];
    const result = await server.call({ to_: TO, message: MESSAGE, from_: from });
    expect(texts(result)[0]).toBe("SMS sent.");
    expect(result.structuredContent?.from).toBe(from);
    expect(JSON.stringify(sim.requests()[0]?.body)).toContain(from);
  });

  it("explains a sender that is not on the account", async () => {
    const result = await server.call({ to_: TO, message: MESSAGE, from_: "+15559990000" });
    expect(result.isError).toBe(true);
    expect(texts(result)[0]).toBe("SMS couldn't be sent");
    expect(result.structuredContent?.error).toMatchObject({
      category: "invalid_sender",
      retryable: false,
    });
    expect(sim.requests()).toHaveLength(1);
  });

  it.each(FAILURES)(
    "reports $category for $to with a reason the model can act on",
    async (failure) => {
      const result = await server.call({ to_: failure.to, message: MESSAGE });
      expect(result.isError).toBe(true);
      const [first, reason] = texts(result);
      expect(first).toBe("SMS couldn't be sent");
      expect(reason).toMatch(failure.reason);
      expect(result.structuredContent).toMatchObject({
        status: "failed",
        error: {
          category: failure.category,
          ...("retryable" in failure ? { retryable: failure.retryable } : {}),
        },
      });
      expect(sim.requests()).toHaveLength(failure.requests);
    },
  );
});

describe.each(PROVIDER_NAMES)("wrong credentials with %s", (provider) => {
  it("answers authentication, not retryable, and never echoes the secret", async () => {
    const sim = await startSimulator();
    const wrongSecret = `wrong-${provider}-secret-7f3a9c`;
    const env = providerEnv(sim, provider);
    for (const key of ["TWILIO_AUTH_TOKEN", "PLIVO_AUTH_TOKEN", "TELNYX_API_KEY"]) {
      if (key in env) env[key] = wrongSecret;
    }
    const server = await startStdioServer(env);
    try {
      const result = await server.call({ to_: TO, message: MESSAGE });
      expect(texts(result)).toEqual([
        "SMS couldn't be sent",
        expect.stringMatching(/rejected the credentials/),
        JSON.stringify(result.structuredContent),
      ]);
      expect(result.structuredContent?.error).toMatchObject({
        category: "authentication",
        retryable: false,
      });
      expect(sim.requests()).toHaveLength(1);
      expect(JSON.stringify(result)).not.toContain(wrongSecret);
      expect(server.stderr()).not.toContain(wrongSecret);
    } finally {
      await server.close();
      await sim.close();
    }
  });
});

describe.each(PROVIDER_NAMES)("secrets with %s", (provider) => {
  it("the provider secret never reaches stderr or a tool result, whatever happens", async () => {
    const sim = await startSimulator();
    const env = providerEnv(sim, provider);
    const secret = env.TWILIO_AUTH_TOKEN ?? env.PLIVO_AUTH_TOKEN ?? env.TELNYX_API_KEY ?? "";
    expect(secret).not.toBe("");
    const server = await startStdioServer({ ...env, SMS_MCP_TIMEOUT_MS: "500" });
    try {
      const results = [];
      for (const to of [
        TO,
        "+15005550001",
        "+15005550004",
        "+15005550005",
        "+15005550006",
        "bad",
      ]) {
        results.push(await server.call({ to_: to, message: MESSAGE }));
      }
      expect(results.map((r) => texts(r)[0])).toEqual([
        "SMS sent.",
        ...Array(5).fill("SMS couldn't be sent"),
      ]);
      expect(JSON.stringify(results)).not.toContain(secret);
      expect(server.stderr()).not.toContain(secret);
      expect(server.stderr()).not.toContain(Buffer.from(`:${secret}`).toString("base64").slice(4));
      expect(server.stderr()).not.toContain(MESSAGE);
    } finally {
      await server.close();
      await sim.close();
    }
  });
});
