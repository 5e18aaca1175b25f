// `sms-mcp status <message id>` end to end against the simulator: a text's state, error code
// and sentence, on record in the audit log; a wrong or unknown id for each provider.
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

// Two texts end to end (the table of every provider's outcomes is tested in process, in
// test/providers/deliveryStatus.test.ts): a delivered one, and one a carrier refused.
const END_TO_END = [
  {
    provider: "twilio",
    to: "+15551234567",
    state: "delivered",
    code: null,
    says: /confirmed delivery/,
  },
  {
    provider: "telnyx",
    to: "+15005550023",
    state: "undelivered",
    code: "40300",
    says: /opted out \(replied STOP\)/,
  },
] as const;

describe.each(END_TO_END)(
  "sms-mcp status: a $provider text to $to",
  ({ provider, to, state, code, says }) => {
    it("its state, error code and what it means, on record beside the send", async () => {
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
      expect(report).toMatchObject({ messageId, provider, state, errorCode: code });
      expect(report.explanation).toMatch(says);
      // The last known state is on record: `log` shows it beside the send.
      const logged = (await runCli(["log", "--json"], env)).stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
        .find((r) => r.messageId === messageId && r.outcome === "sent");
      expect(logged?.lastDelivery).toMatchObject({ state, errorCode: code });
      const table = (await runCli(["log"], env)).stdout;
      const row = table.split("\n").find((line) => line.includes(messageId)) ?? "";
      expect(row).toContain(code ? `${state} (${code})` : state);
      const human = await runCli(["status", messageId], env);
      expect(human.stdout).toMatch(new RegExp(`^${state}${code ? ` \\(error ${code}\\)` : ""}: `));
    });
  },
);

describe.each(PROVIDER_NAMES)("sms-mcp status with %s", (provider) => {
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
