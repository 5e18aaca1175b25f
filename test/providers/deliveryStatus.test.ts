// Where a text is, as each provider says it and as sms-mcp says it back: the provider's status
// word and error code (asked over real HTTP of the simulator's scripted outcomes), the shared
// state, and the one sentence a person or a model reads. `sms-mcp status` end to end is in
// test/e2e/status.test.ts; the table lives here, in process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/createProvider.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import {
  DELIVERY_STATES,
  deliveryAuditRecord,
  deliveryStateOf,
  explainDelivery,
  isProviderStatusWord,
} from "../../src/sms/delivery.js";
import type { SmsProvider } from "../../src/sms/ports/provider.js";
import { PROVIDER_NAMES } from "../../src/sms/providerNames.js";
import { simulatorCredentials } from "../helpers/simulatorEnv.js";

/** The simulator's scripted recipients, and what each provider reports for them. */
const OUTCOMES = {
  "+15551234567": {
    state: "delivered",
    codes: { twilio: undefined, plivo: undefined, telnyx: undefined },
    says: /confirmed delivery/,
  },
  "+15005550020": {
    state: "undelivered",
    codes: { twilio: "30007", plivo: "30", telnyx: "40002" },
    says: /spam/,
  },
  "+15005550021": {
    state: "failed",
    codes: { twilio: "30034", plivo: "40", telnyx: "40010" },
    says: /(10DLC|source number)/,
  },
  "+15005550022": {
    state: "undelivered",
    codes: { twilio: "30005", plivo: "50", telnyx: "40012" },
    says: /(unknown|not valid|destination number)/,
  },
  "+15005550023": {
    // Twilio refuses it before it leaves; Plivo and Telnyx report it from the carrier side.
    state: { twilio: "failed", plivo: "undelivered", telnyx: "undelivered" },
    codes: { twilio: "21610", plivo: "200", telnyx: "40300" },
    says: /opted out \(replied STOP\)/,
  },
} as const;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

describe.each(PROVIDER_NAMES)("%s delivery reports", (provider) => {
  let adapter: SmsProvider;
  beforeAll(async () => {
    adapter = await createProvider({
      credentials: simulatorCredentials(sim, provider),
      apiBaseUrl: sim.url,
      timeoutMs: 5000,
    });
  });

  it.each(Object.entries(OUTCOMES))(
    "a text to %s: the provider's word and code, the shared state, one sentence",
    async (to, outcome) => {
      const from = sim.accounts[provider].numbers[0];
      const receipt = await adapter.send({
        to,
        from,
        sender: { kind: "number", value: from },
        body: `Status check ${to}`,
      });
      const report = await adapter.messageStatus?.(receipt.messageId);
      if (!report) throw new Error(`${provider} reports no status`);
      expect(isProviderStatusWord(report.providerStatus), report.providerStatus).toBe(true);
      const state = typeof outcome.state === "string" ? outcome.state : outcome.state[provider];
      const record = deliveryAuditRecord({ label: "test", provider }, report, new Date());
      expect(record).toMatchObject({ delivery: state, messageId: receipt.messageId });
      expect(report.errorCode).toBe(outcome.codes[provider]);
      expect(explainDelivery(provider, record.delivery, report.errorCode)).toMatch(outcome.says);
    },
  );
});

describe("the shared states", () => {
  it.each([
    ["accepted", "queued"],
    ["scheduled", "queued"],
    ["queued", "queued"],
    ["sending", "queued"],
    ["sent", "sent"],
    ["delivery_unconfirmed", "sent"],
    ["delivered", "delivered"],
    ["read", "delivered"],
    ["undelivered", "undelivered"],
    ["delivery_failed", "undelivered"],
    ["expired", "undelivered"],
    ["failed", "failed"],
    ["sending_failed", "failed"],
    ["rejected", "failed"],
    ["canceled", "failed"],
  ])("a provider's %s is %s", (word, state) => {
    expect(isProviderStatusWord(word)).toBe(true);
    expect(deliveryStateOf(word)).toBe(state);
  });

  it("a word no provider documents is unknown, however it is spelled", () => {
    for (const word of [
      "",
      "Delivered",
      "constructor",
      "__proto__",
      "toString",
      "x".repeat(1000),
    ]) {
      expect(isProviderStatusWord(word), word).toBe(false);
      expect(deliveryStateOf(word), word).toBe("unknown");
    }
  });

  it("every state has its own sentence; an unknown code names the provider's reference", () => {
    const sentences = DELIVERY_STATES.map((state) => explainDelivery("twilio", state, undefined));
    expect(new Set(sentences).size).toBe(DELIVERY_STATES.length);
    expect(explainDelivery("plivo", "undelivered", "99999")).toMatch(
      /error code is 99999 \(see its error reference\)/,
    );
  });
});
