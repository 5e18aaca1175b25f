import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { type StdioServer, startStdioServer, texts } from "../helpers/stdioServer.js";

const OK = { to_: "+15551234567", message: "Hello" };

const CASES: Array<{ name: string; args: unknown; category: string; reason: RegExp }> = [
  {
    name: "an extra key named constructor",
    args: { ...OK, constructor: "x" },
    category: "invalid_input",
    reason: /unexpected argument "constructor"/i,
  },
  {
    name: "a body of only spaces and invisible characters",
    args: { ...OK, message: " \u200b\u200d\u200e\u2060\ufeff\t " },
    category: "invalid_input",
    reason: /message is empty: it has only spaces or invisible characters/,
  },
  {
    name: "a body with a lone surrogate",
    args: { ...OK, message: "Code \ud83d" },
    category: "invalid_input",
    reason: /broken character/,
  },
  {
    name: "no arguments at all",
    args: undefined,
    category: "invalid_input",
    reason: /to_ argument is missing/,
  },
  {
    name: "missing to_",
    args: { message: "Hi" },
    category: "invalid_input",
    reason: /to_ argument is missing/,
  },
  {
    name: "missing message",
    args: { to_: OK.to_ },
    category: "invalid_input",
    reason: /message argument is missing/,
  },
  {
    name: "to_ as a number",
    args: { ...OK, to_: 15551234567 },
    category: "invalid_input",
    reason: /to_ argument must be a string, not number/,
  },
  {
    name: "message as null",
    args: { ...OK, message: null },
    category: "invalid_input",
    reason: /must be a string, not null/,
  },
  {
    name: "from_ as an array",
    args: { ...OK, from_: ["+15550100001"] },
    category: "invalid_input",
    reason: /from_ argument must be a string/,
  },
  {
    name: "an extra field",
    args: { ...OK, cc: "+15557654321" },
    category: "invalid_input",
    reason: /Unexpected argument "cc"/,
  },
  {
    name: "empty message",
    args: { ...OK, message: "" },
    category: "invalid_input",
    reason: /message is empty/,
  },
  {
    name: "whitespace message",
    args: { ...OK, message: " \n\t " },
    category: "invalid_input",
    reason: /message is empty/,
  },
  {
    name: "1601 characters",
    args: { ...OK, message: "a".repeat(1601) },
    category: "too_long",
    reason: /1601 characters long, over the 1600/,
  },
  {
    name: "national number: the E.164 form under the sender's +1, to confirm",
    args: { ...OK, to_: "(555) 123-4567" },
    category: "invalid_recipient",
    reason: /no country code; if the person meant \+15551234567 .*confirm it with them/,
  },
  {
    name: "US national digits, never guessed as +212",
    args: { ...OK, to_: "2125551234" },
    category: "invalid_recipient",
    reason: /no country code; if the person meant \+12125551234 /,
  },
  {
    name: "00 prefix",
    args: { ...OK, to_: "001 555 123 4567" },
    category: "invalid_recipient",
    reason: /if the person meant \+15551234567/,
  },
  {
    name: "spaces in an E.164 number",
    args: { ...OK, to_: "+1 555 123 4567" },
    category: "invalid_recipient",
    reason: /if the person meant \+15551234567/,
  },
  {
    name: "too short",
    args: { ...OK, to_: "+1555" },
    category: "invalid_recipient",
    reason: /wrong number of digits/,
  },
  {
    name: "letters",
    args: { ...OK, to_: "call me" },
    category: "invalid_recipient",
    reason: /not a valid phone number in E\.164 format/,
  },
  {
    name: "empty to_",
    args: { ...OK, to_: "" },
    category: "invalid_recipient",
    reason: /recipient number is empty/,
  },
  {
    name: "bad from_",
    args: { ...OK, from_: "555-0100" },
    category: "invalid_sender",
    reason: /no country code|not a valid phone number/,
  },
];

describe("bad input never reaches the provider", () => {
  let sim: Simulator;
  let server: StdioServer;

  beforeAll(async () => {
    sim = await startSimulator();
    server = await startStdioServer(providerEnv(sim, "twilio"));
  });
  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });
  beforeEach(() => sim.clear());

  it.each(CASES)(
    "$name → the failure string, a reason, zero requests",
    async ({ args, category, reason }) => {
      const result = await server.call(args);
      expect(result.isError).toBe(true);
      const [first, second] = texts(result);
      expect(first).toBe("SMS couldn't be sent");
      expect(second).toMatch(reason);
      expect(result.structuredContent?.error).toMatchObject({ category, retryable: false });
      expect(sim.requests()).toHaveLength(0);
    },
  );

  it("an empty optional from_ (as form-based clients send it) means the default sender", async () => {
    const result = await server.call({ ...OK, from_: "" });
    expect(texts(result)).toEqual(["SMS sent.", JSON.stringify(result.structuredContent)]);
    expect(result.structuredContent?.from).toBe(sim.accounts.twilio.numbers[0]);
    expect(sim.requests()).toHaveLength(1);
  });

  // Pins of the SDK's own parsing (v2 validates tools/call params before any handler): the
  // day it lets such a call through to the tool, these fail and the tool's own answer, which
  // still handles both (src/sms/validate.ts), is what the host gets.
  it.each([
    ["an array", ["+15551234567", "Hello"]],
    ["a string", "+15551234567 Hello"],
  ])("arguments as %s: refused by the protocol (-32602), nothing sent", async (_name, args) => {
    await expect(
      server.client.callTool({
        name: "send_sms",
        arguments: args as unknown as Record<string, unknown>,
      }),
    ).rejects.toMatchObject({ code: -32602 });
    expect(sim.requests()).toHaveLength(0);
  });

  it("a __proto__ key in the arguments is dropped by the protocol layer: nothing is polluted, the text goes as the other arguments say", async () => {
    const args = JSON.parse(
      '{"to_":"+15551234567","message":"Proto","__proto__":{"from_":"+15550100002"}}',
    );
    const result = await server.call(args);
    expect(texts(result)[0]).toBe("SMS sent.");
    expect(result.structuredContent?.from).toBe(sim.accounts.twilio.numbers[0]);
    expect(sim.requests()).toHaveLength(1);
  });

  it("an unknown tool is a protocol error, not a send", async () => {
    await expect(server.client.callTool({ name: "send_email", arguments: OK })).rejects.toThrow(
      /send_sms/,
    );
    expect(sim.requests()).toHaveLength(0);
  });
});
