// `sms-mcp status <message id>` for each provider, end to end against the simulator: its
// scripted delivery outcomes, in each provider's own status words and error codes, come back
// as one shared state and one sentence.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { PROVIDER_NAMES } from "../../src/sms/providerNames.js";
import { runCli } from "../helpers/cli.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());
beforeEach(() => sim.clear());

const OUTCOMES = {
  "+15551234567": {
    state: "delivered",
    codes: { twilio: null, plivo: null, telnyx: null },
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

describe.each(PROVIDER_NAMES)("sms-mcp status with %s", (provider) => {
  it.each(Object.entries(OUTCOMES))(
    "a text to %s: its state, error code and what it means",
    async (to, outcome) => {
      const state = typeof outcome.state === "string" ? outcome.state : outcome.state[provider];
      const env = providerEnv(sim, provider);
      const sent = await runCli(
        ["send", "--to", to, "--message", `Status check ${to}`, "--json"],
        env,
      );
      expect(sent.code, sent.stderr).toBe(0);
      const { messageId } = JSON.parse(sent.stdout) as { messageId: string };
      const status = await runCli(["status", messageId, "--json"], env);
      expect(status.code, status.stderr).toBe(0);
      const report = JSON.parse(status.stdout);
      expect(report).toMatchObject({
        messageId,
        provider,
        state: state,
        errorCode: outcome.codes[provider],
      });
      expect(report.explanation).toMatch(outcome.says);
      // The last known state is on record: `log` shows it beside the send.
      const logged = (await runCli(["log", "--json"], env)).stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
        .find((r) => r.messageId === messageId && r.outcome === "sent");
      expect(logged?.lastDelivery).toMatchObject({
        state: state,
        errorCode: outcome.codes[provider],
      });
      const table = (await runCli(["log"], env)).stdout;
      const row = table.split("\n").find((line) => line.includes(messageId)) ?? "";
      expect(row).toContain(
        outcome.codes[provider] ? `${state} (${outcome.codes[provider]})` : state,
      );
      const human = await runCli(["status", messageId], env);
      expect(human.stdout).toMatch(
        new RegExp(
          `^${state}${outcome.codes[provider] ? ` \\(error ${outcome.codes[provider]}\\)` : ""}: `,
        ),
      );
    },
  );

  it("an id that is not the provider's format is a usage error, and nothing is asked", async () => {
    const run = await runCli(["status", "not-an-id"], providerEnv(sim, provider));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not a (Twilio|Plivo|Telnyx) message id/);
    expect(sim.requests()).toHaveLength(0);
  });

  it("an id the provider does not know: one line saying so, exit 1", async () => {
    const id =
      provider === "twilio" ? `SM${"0".repeat(32)}` : "00000000-0000-4000-8000-000000000000";
    const run = await runCli(["status", id], providerEnv(sim, provider));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/could not get the status of/);
    expect(run.stderr).toMatch(/has no message with this id on this account/);
    expect(run.stderr).not.toMatch(/refused the message|HTTP 404/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});
