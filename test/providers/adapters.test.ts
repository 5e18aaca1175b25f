import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/createProvider.js";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { SmsError } from "../../src/sms/errors.js";
import type { ProviderCredentials } from "../../src/sms/ports/provider.js";
import { PROVIDER_NAMES } from "../../src/sms/providerNames.js";
import { freePort } from "../helpers/ports.js";
import { simulatorCredentials } from "../helpers/simulatorEnv.js";

describe.each(PROVIDER_NAMES)("%s adapter over real HTTP", (provider) => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim?.close());

  it("lists the account's numbers with their SMS capability", async () => {
    const adapter = await createProvider({
      credentials: simulatorCredentials(sim, provider),
      apiBaseUrl: sim.url,
      timeoutMs: 5000,
    });
    const senders = await adapter.listSenders();
    const smsNumbers = senders.filter((s) => s.sms).map((s) => s.number);
    expect(smsNumbers).toEqual([...sim.accounts[provider].numbers]);
    expect(smsNumbers).not.toContain(sim.accounts[provider].voiceOnlyNumbers[0]);
  });

  it("pages through every number on a large account", async () => {
    // 260 numbers: several pages at each provider's page size (Twilio 50, Plivo 20, Telnyx 250).
    const many = Array.from({ length: 260 }, (_, i) => `+1555060${String(i).padStart(4, "0")}`) as [
      string,
      ...string[],
    ];
    const big = await startSimulator({
      accounts: {
        twilio: { ...SIMULATOR_ACCOUNTS.twilio, numbers: many },
        plivo: { ...SIMULATOR_ACCOUNTS.plivo, numbers: many },
        telnyx: { ...SIMULATOR_ACCOUNTS.telnyx, numbers: many },
      },
    });
    try {
      const adapter = await createProvider({
        credentials: simulatorCredentials(big, provider),
        apiBaseUrl: big.url,
        timeoutMs: 5000,
      });
      const smsNumbers = (await adapter.listSenders()).filter((s) => s.sms).map((s) => s.number);
      expect(smsNumbers).toEqual(many);
      const pages = big.requests().filter((r) => r.method === "GET").length;
      expect(pages).toBeGreaterThan(1);
    } finally {
      await big.close();
    }
  });

  it("verifies the credentials", async () => {
    const adapter = await createProvider({
      credentials: simulatorCredentials(sim, provider),
      apiBaseUrl: sim.url,
      timeoutMs: 5000,
    });
    await expect(adapter.verify()).resolves.toMatchObject({ id: expect.any(String) });
  });

  it("reports a refused connection as not sent and safe to retry", async () => {
    const adapter = await createProvider({
      credentials: simulatorCredentials(sim, provider),
      apiBaseUrl: `http://127.0.0.1:${await freePort()}`,
      timeoutMs: 5000,
    });
    const error = await adapter
      .send({
        to: "+15551234567",
        from: sim.accounts[provider].numbers[0],
        sender: { kind: "number", value: sim.accounts[provider].numbers[0] },
        body: "Hi",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsError);
    expect(error).toMatchObject({
      category: "provider_unavailable",
      safeToResend: true,
      retryable: true,
    });
    expect((error as SmsError).reason).toMatch(/could not be reached/);
  });

  it("rejects wrong credentials on verify with the authentication category", async () => {
    const right = simulatorCredentials(sim, provider);
    const wrong: ProviderCredentials =
      right.provider === "twilio"
        ? { ...right, secret: "x" }
        : right.provider === "plivo"
          ? { ...right, authToken: "x" }
          : { ...right, apiKey: "x" };
    const adapter = await createProvider({
      credentials: wrong,
      apiBaseUrl: sim.url,
      timeoutMs: 5000,
    });
    await expect(adapter.verify()).rejects.toMatchObject({ category: "authentication" });
  });
});
