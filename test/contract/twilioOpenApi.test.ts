import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/createProvider.js";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";

/** Twilio's own OpenAPI description (twilio/twilio-oai, MIT; see the NOTICE beside it). */
const SPEC_PATH = fileURLToPath(
  new URL("../fixtures/twilio/twilio_api_v2010.subset.json", import.meta.url),
);
const MESSAGES_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json";

type Json = Record<string, unknown>;
const spec = JSON.parse(readFileSync(SPEC_PATH, "utf8")) as Json & {
  paths: Record<string, Json>;
};

// Twilio's formats (phone-number, date-time-rfc-2822, …) are documentation, not JSON Schema.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(spec, "twilio");

/** Walks the spec by keys, failing loudly when the spec's layout is not what the test expects. */
function pointer(root: unknown, keys: string[]): Json {
  let node = root;
  for (const key of keys) {
    if (typeof node !== "object" || node === null || !(key in node)) {
      throw new Error(`the spec has no ${keys.join(" → ")}`);
    }
    node = (node as Json)[key];
  }
  return node as Json;
}

function schemaRef(name: string) {
  return ajv.compile({ $ref: `twilio#/components/schemas/${name}` });
}

function validateAgainst(validate: ReturnType<typeof ajv.compile>, data: unknown) {
  const ok = validate(data);
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe("the Twilio adapter and simulator against Twilio's OpenAPI description", () => {
  let sim: Simulator;
  const basic = () =>
    `Basic ${Buffer.from(`${sim.accounts.twilio.accountSid}:${sim.accounts.twilio.authToken}`).toString("base64")}`;

  beforeAll(async () => {
    sim = await startSimulator();
  });
  /** The real adapter, on the simulator's built-in Twilio account. */
  const twilioAdapter = (statusCallbackUrl?: string) =>
    createProvider({
      credentials: {
        provider: "twilio",
        accountSid: sim.accounts.twilio.accountSid,
        secret: sim.accounts.twilio.authToken,
      },
      apiBaseUrl: sim.url,
      timeoutMs: 5000,
      statusCallbackUrl,
    });
  afterAll(() => sim?.close());

  it.each([
    ["a number", "number", SIMULATOR_ACCOUNTS.twilio.numbers[0], undefined],
    [
      "a Messaging Service",
      "messaging_service",
      SIMULATOR_ACCOUNTS.twilio.messagingServices[0],
      undefined,
    ],
    [
      "a number, asking for status callbacks",
      "number",
      SIMULATOR_ACCOUNTS.twilio.numbers[0],
      "https://sms.example.com/status/office",
    ],
  ] as const)(
    "sends a CreateMessage request from %s whose every field the spec defines",
    async (_name, kind, value, statusCallbackUrl) => {
      const { twilio } = sim.accounts;
      const provider = await twilioAdapter(statusCallbackUrl);
      sim.clear();
      await provider.send({
        to: "+15551234567",
        from: value as string,
        sender: { kind, value: value as string },
        body: "Payment link: https://pay.example/abc",
      });
      const [request] = sim.requests();
      const specPath = MESSAGES_PATH.replace("{AccountSid}", twilio.accountSid);
      expect(request?.path).toBe(specPath);
      const requestSchema = pointer(spec, [
        "paths",
        MESSAGES_PATH,
        "post",
        "requestBody",
        "content",
        "application/x-www-form-urlencoded",
        "schema",
      ]);
      const strict = JSON.parse(
        JSON.stringify({ ...requestSchema, additionalProperties: false }).replaceAll(
          '"#/components',
          '"twilio#/components',
        ),
      );
      expect(validateAgainst(ajv.compile(strict), request?.body)).toEqual([]);
      expect(request?.headers["content-type"]).toContain("application/x-www-form-urlencoded");
      if (statusCallbackUrl) {
        expect(request?.body).toMatchObject({ StatusCallback: statusCallbackUrl });
      }
    },
  );

  it("authenticates with an API key SID and secret, on the account's path", async () => {
    const { twilio } = sim.accounts;
    const provider = await createProvider({
      credentials: {
        provider: "twilio",
        accountSid: twilio.accountSid,
        apiKeySid: twilio.apiKeySid,
        secret: twilio.apiKeySecret,
      },
      apiBaseUrl: sim.url,
      timeoutMs: 5000,
    });
    sim.clear();
    const receipt = await provider.send({
      to: "+15551234567",
      from: twilio.numbers[0],
      sender: { kind: "number", value: twilio.numbers[0] },
      body: "Hi",
    });
    expect(receipt.messageId).toMatch(/^SM/);
    const [request] = sim.requests();
    expect(request?.path).toBe(MESSAGES_PATH.replace("{AccountSid}", twilio.accountSid));
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${twilio.apiKeySid}:${twilio.apiKeySecret}`).toString("base64")}`,
    );
  });

  it("answers a send with the spec's 201 message resource", async () => {
    const response = await fetch(
      `${sim.url}/2010-04-01/Accounts/${sim.accounts.twilio.accountSid}/Messages.json`,
      {
        method: "POST",
        headers: { authorization: basic(), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          To: "+15551234567",
          From: sim.accounts.twilio.numbers[0],
          Body: "Hi",
        }),
      },
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as Json;
    expect(validateAgainst(schemaRef("api.v2010.account.message"), body)).toEqual([]);
    expect(body.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(body.status).toBe("queued");
  });

  it.each([
    ["+15551234567", "delivered", null],
    ["+15005550021", "failed", 30034],
  ] as const)(
    "looks a text to %s up on the spec's fetch path, answered in its message resource (%s)",
    async (to, status, errorCode) => {
      const { twilio } = sim.accounts;
      const provider = await twilioAdapter();
      const { messageId } = await provider.send({
        to,
        from: twilio.numbers[0],
        sender: { kind: "number", value: twilio.numbers[0] },
        body: "Your table is booked for 7pm.",
      });
      const report = await provider.messageStatus?.(messageId);
      expect(report).toMatchObject({ messageId, providerStatus: status });
      const lookup = sim.requests().at(-1);
      expect(lookup?.method).toBe("GET");
      expect(lookup?.path).toBe(
        "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"
          .replace("{AccountSid}", twilio.accountSid)
          .replace("{Sid}", messageId),
      );
      const answer = await fetch(`${sim.url}${lookup?.path}`, {
        headers: { authorization: basic() },
      });
      const body = (await answer.json()) as Json;
      expect(validateAgainst(schemaRef("api.v2010.account.message"), body)).toEqual([]);
      expect(body).toMatchObject({ sid: messageId, status, error_code: errorCode });
    },
  );

  it("lists numbers and fetches the account in the spec's shapes", async () => {
    const sid = sim.accounts.twilio.accountSid;
    const numbers = await fetch(
      `${sim.url}/2010-04-01/Accounts/${sid}/IncomingPhoneNumbers.json?PageSize=50`,
      {
        headers: { authorization: basic() },
      },
    );
    const listBody = (await numbers.json()) as Json;
    const listSchema = pointer(spec, [
      "paths",
      "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
      "get",
      "responses",
      "200",
      "content",
      "application/json",
      "schema",
    ]);
    const listValidator = ajv.compile(
      JSON.parse(JSON.stringify(listSchema).replaceAll('"#/components', '"twilio#/components')),
    );
    expect(validateAgainst(listValidator, listBody)).toEqual([]);

    const account = await fetch(`${sim.url}/2010-04-01/Accounts/${sid}.json`, {
      headers: { authorization: basic() },
    });
    expect(validateAgainst(schemaRef("api.v2010.account"), await account.json())).toEqual([]);
  });

  it("answers wrong credentials with Twilio's 401 error body", async () => {
    const response = await fetch(
      `${sim.url}/2010-04-01/Accounts/${sim.accounts.twilio.accountSid}/Messages.json`,
      {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from("ACx:nope").toString("base64")}` },
      },
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      code: 20003,
      message: "Authenticate",
      more_info: "https://www.twilio.com/docs/errors/20003",
      status: 401,
    });
  });
});
