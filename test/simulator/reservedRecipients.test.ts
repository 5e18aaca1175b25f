// The simulator's reserved "slow" recipient is slow however the provider's field writes it:
// Plivo takes a dst without its +, and the route and the delay must read it the same way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

describe("the slow recipient (+15005550007)", () => {
  const plivoSend = (dst: string, signal: AbortSignal) => {
    const { authId, authToken, numbers } = sim.accounts.plivo;
    return fetch(`${sim.url}/v1/Account/${authId}/Message/`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${authId}:${authToken}`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ src: numbers[0], dst, text: "slow" }),
      signal,
    });
  };

  it.each(["+15005550007", "15005550007"])(
    "Plivo dst %s: no answer before the delay, then accepted",
    async (dst) => {
      // The delay is a second: an answer within 700 ms would mean it was skipped.
      await expect(plivoSend(dst, AbortSignal.timeout(700))).rejects.toThrow();
      const accepted = await plivoSend(dst, AbortSignal.timeout(10_000));
      expect(accepted.status).toBe(202);
    },
  );
});
