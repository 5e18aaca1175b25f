// Signed status callbacks, end to end: an HTTP server with a public URL asks each provider
// (the simulator) to report deliveries to /status/<connection id>; the simulator signs its
// reports as the real provider does; the server records the genuine ones in the audit log,
// where `sms-mcp log` shows them, and refuses anything else with 403, recording nothing.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import {
  plivoSignatureV3,
  type SentCallback,
  telnyxSignature,
  twilioSignature,
} from "../../src/simulator/statusCallbacks.js";
import { PROVIDER_NAMES, type ProviderName } from "../../src/sms/providerNames.js";
import { runCli } from "../helpers/cli.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { sendOverHttp } from "../helpers/mcpHttp.js";
import { freePort } from "../helpers/ports.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

/** Planted in forged callbacks: it must never reach the server's log. */
const PLANTED = "\u001b[31m<script>planted-callback-text</script>";

const CALLBACK_FIELD: Record<ProviderName, string> = {
  twilio: "StatusCallback",
  plivo: "url",
  telnyx: "webhook_url",
};

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

function auditLines(path: string): number {
  return readFileSync(path, "utf8").trim().split("\n").length;
}

/** Sends a callback as a provider would, with `headers` in place of the genuine ones. */
function post(url: string, callback: SentCallback, changes: Partial<SentCallback> = {}) {
  const { headers, body } = { ...callback, ...changes };
  return fetch(url, { method: "POST", headers, body });
}

describe.each(PROVIDER_NAMES)("status callbacks from %s", (provider) => {
  let server: HttpCli;
  let env: Record<string, string>;
  let publicUrl: string;
  let auditLog: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    auditLog = join(mkdtempSync(join(tmpdir(), "sms-mcp-callbacks-")), "audit.log");
    env = {
      ...providerEnv(sim, provider),
      SMS_MCP_PUBLIC_URL: publicUrl,
      SMS_MCP_AUDIT_LOG: auditLog,
      SMS_MCP_TELNYX_PUBLIC_KEY: sim.telnyxPublicKey,
      SMS_MCP_LOG_LEVEL: "debug",
    };
    server = await startHttpCli(env, ["--port", String(port)]);
  });
  afterAll(() => server?.stop());

  let genuine: SentCallback[] = [];
  let callbackUrl = "";

  it("asks for callbacks at /status/<connection id>, and records the signed reports; log shows them", async () => {
    sim.clear();
    const delivered = await sendOverHttp(server.url, "+15551234567", "Your table is booked.");
    const filtered = await sendOverHttp(server.url, "+15005550020", "Pay here: bit.ly/x");
    expect(delivered.structuredContent).toMatchObject({ status: "sent" });
    expect(filtered.structuredContent).toMatchObject({ status: "sent" });

    const sends = sim.requests().filter((r) => r.method === "POST");
    expect(sends).toHaveLength(2);
    for (const send of sends) {
      const asked = (send.body as Record<string, string>)[CALLBACK_FIELD[provider]];
      expect(asked).toMatch(
        new RegExp(`^${publicUrl}/status/env-${provider}-[0-9a-f]{12}$`.replaceAll(".", "\\.")),
      );
      callbackUrl = asked ?? "";
    }
    // Each text: "sent", then its last state (both answered 204 by the server).
    genuine = await vi.waitFor(
      () => {
        const made = sim.callbacks();
        if (made.length !== 4 || made.some((c) => c.answered === 0)) {
          throw new Error(`waiting for four answered callbacks, ${made.length} so far`);
        }
        return made;
      },
      { timeout: 10_000, interval: 25 },
    );
    expect(genuine.map((c) => c.answered)).toEqual([204, 204, 204, 204]);

    const logged = (await runCli(["log", "--json"], env)).stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((r) => r.outcome === "sent");
    const byMessage = Object.fromEntries(logged.map((r) => [r.messageId, r.lastDelivery]));
    expect(byMessage[String(delivered.structuredContent?.messageId)]).toMatchObject({
      state: "delivered",
      errorCode: null,
    });
    expect(byMessage[String(filtered.structuredContent?.messageId)]).toMatchObject({
      state: "undelivered",
      errorCode: { twilio: "30007", plivo: "30", telnyx: "40002" }[provider],
    });
    const table = (await runCli(["log"], env)).stdout;
    expect(table).toContain("delivered");
  });

  it("a replayed callback, a wrong signature, an unsigned one: 403, nothing recorded", async () => {
    const before = auditLines(auditLog);
    const [first] = genuine;
    if (!first) throw new Error("the first test records the genuine callbacks");

    const replayed = await post(callbackUrl, first);
    const tampered = await post(callbackUrl, first, {
      body: first.body.replace(/delivered|sent/, "failed"),
    });
    const unsigned = await post(callbackUrl, first, {
      headers: { "Content-Type": first.headers["Content-Type"] ?? "" },
      body: `${first.body}&x=${encodeURIComponent(PLANTED)}`,
    });
    const forgedSignature = Object.fromEntries(
      Object.entries(first.headers).map(([k, v]) =>
        k.toLowerCase().includes("signature") && !k.toLowerCase().includes("nonce")
          ? [k, Buffer.from(PLANTED).toString("base64")]
          : [k, v],
      ),
    );
    const wrongSignature = await post(callbackUrl, first, { headers: forgedSignature });
    expect([replayed, tampered, unsigned, wrongSignature].map((r) => r.status)).toEqual([
      403, 403, 403, 403,
    ]);
    expect(auditLines(auditLog)).toBe(before);
    expect(server.stderr()).not.toContain("planted-callback-text");
    expect(server.stderr()).not.toContain(sim.accounts.twilio.authToken);
    expect(server.stderr()).not.toContain(sim.accounts.plivo.authToken);
  });

  if (provider === "telnyx") {
    it("a correctly signed callback with a stale timestamp: 403, nothing recorded", async () => {
      const before = auditLines(auditLog);
      const [first] = genuine;
      if (!first) throw new Error("the first test records the genuine callbacks");
      const stale = String(Math.floor(Date.now() / 1000) - 6 * 60);
      const response = await post(callbackUrl, first, {
        headers: {
          ...first.headers,
          "telnyx-timestamp": stale,
          "telnyx-signature-ed25519": telnyxSignature(stale, first.body),
        },
      });
      expect(response.status).toBe(403);
      expect(auditLines(auditLog)).toBe(before);
    });
  }

  if (provider === "telnyx") {
    it("a replay whose signature is spelled another way in base64 (the same bytes): 403, nothing recorded", async () => {
      const before = auditLines(auditLog);
      const [first] = genuine;
      if (!first) throw new Error("the first test records the genuine callbacks");
      const signature = first.headers["telnyx-signature-ed25519"] ?? "";
      // 64 bytes in base64: the last data character carries 4 bits nothing decodes.
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      const last = alphabet.indexOf(signature.charAt(85));
      const respelled = `${signature.slice(0, 85)}${alphabet[(last & 0b110000) | ((last + 1) & 0b1111)]}${signature.slice(86)}`;
      expect(respelled).not.toBe(signature);
      expect(Buffer.from(respelled, "base64")).toEqual(Buffer.from(signature, "base64"));
      const response = await post(callbackUrl, first, {
        headers: { ...first.headers, "telnyx-signature-ed25519": respelled },
      });
      expect(response.status).toBe(403);
      expect(auditLines(auditLog)).toBe(before);
    });
  }

  if (provider === "twilio") {
    it("a replay with its fields in another order (the same signature): 403, nothing recorded", async () => {
      const before = auditLines(auditLog);
      const [first] = genuine;
      if (!first) throw new Error("the first test records the genuine callbacks");
      const reordered = new URLSearchParams([...new URLSearchParams(first.body)].reverse());
      expect(reordered.toString()).not.toBe(first.body);
      const response = await post(callbackUrl, first, { body: reordered.toString() });
      expect(response.status).toBe(403);
      expect(auditLines(auditLog)).toBe(before);
    });
  }

  if (provider === "twilio") {
    it("a genuinely signed report holding hostile words: recorded as unknown, its words shown nowhere", async () => {
      const [first] = genuine;
      if (!first) throw new Error("the first test records the genuine callbacks");
      const fields = Object.fromEntries(new URLSearchParams(first.body));
      fields.MessageStatus = PLANTED;
      fields.SmsStatus = PLANTED;
      fields.ErrorCode = PLANTED;
      const response = await post(callbackUrl, first, {
        headers: {
          ...first.headers,
          "X-Twilio-Signature": twilioSignature(sim.accounts.twilio.authToken, callbackUrl, fields),
        },
        body: new URLSearchParams(fields).toString(),
      });
      expect(response.status).toBe(204);
      const log = await runCli(["log", "--json"], env);
      const lastDelivery = log.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
        .find((r) => r.messageId === fields.MessageSid)?.lastDelivery;
      // The final state recorded earlier stands; the hostile report is on record as unknown.
      expect(lastDelivery).toMatchObject({ state: "delivered" });
      expect(readFileSync(auditLog, "utf8")).toContain('"delivery":"unknown"');
      for (const output of [readFileSync(auditLog, "utf8"), log.stdout, server.stderr()]) {
        expect(output).not.toContain("planted-callback-text");
      }
    });
  }

  if (provider === "plivo") {
    it("a new report signed with a nonce already used: 403, nothing recorded", async () => {
      const before = auditLines(auditLog);
      const [first] = genuine;
      if (!first) throw new Error("the first test records the genuine callbacks");
      const nonce = first.headers["X-Plivo-Signature-V3-Nonce"] ?? "";
      const fields = Object.fromEntries(new URLSearchParams(first.body));
      fields.Status = "undelivered";
      const response = await post(callbackUrl, first, {
        headers: {
          ...first.headers,
          "X-Plivo-Signature-V3": plivoSignatureV3(
            sim.accounts.plivo.authToken,
            callbackUrl,
            fields,
            nonce,
          ),
        },
        body: new URLSearchParams(fields).toString(),
      });
      expect(response.status).toBe(403);
      expect(auditLines(auditLog)).toBe(before);
    });
  }

  it("is rate-limited before any signature is checked", async () => {
    const [first] = genuine;
    if (!first) throw new Error("the first test records the genuine callbacks");
    const statuses = await Promise.all(
      Array.from({ length: 160 }, () =>
        post(callbackUrl, first, { headers: { "Content-Type": "text/plain" } }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 429 && s !== 403)).toEqual([]);
  });
});

describe("callbacks the connection could not verify are not asked for", () => {
  it.each([
    [
      "a Twilio API key",
      "twilio" as const,
      () => ({
        TWILIO_API_KEY: sim.accounts.twilio.apiKeySid,
        TWILIO_API_SECRET: sim.accounts.twilio.apiKeySecret,
      }),
      /auth token/,
    ],
    ["Telnyx without its public key", "telnyx" as const, () => ({}), /SMS_MCP_TELNYX_PUBLIC_KEY/],
  ])(
    "%s: no callback URL on the wire, and the log says why",
    async (_name, provider, extra, why) => {
      sim.clear();
      const port = await freePort();
      const server = await startHttpCli(
        {
          ...providerEnv(sim, provider),
          SMS_MCP_PUBLIC_URL: `http://127.0.0.1:${port}`,
          ...extra(),
        },
        ["--port", String(port)],
      );
      try {
        const sent = await sendOverHttp(server.url, "+15551234567", "No callbacks, please.");
        expect(sent.structuredContent).toMatchObject({ status: "sent" });
        const [send] = sim.requests().filter((r) => r.method === "POST");
        expect(send?.body).not.toHaveProperty(CALLBACK_FIELD[provider]);
        expect(server.stderr()).toMatch(why);
        const refused = await fetch(`http://127.0.0.1:${port}/status/any`, { method: "POST" });
        expect(refused.status).toBe(404);
      } finally {
        await server.stop();
      }
    },
  );

  it("without SMS_MCP_PUBLIC_URL there is no /status endpoint and no callback is asked for", async () => {
    sim.clear();
    const server = await startHttpCli(providerEnv(sim, "plivo"));
    try {
      await sendOverHttp(server.url, "+15551234567", "Plain send.");
      const [send] = sim.requests().filter((r) => r.method === "POST");
      expect(send?.body).not.toHaveProperty("url");
      const response = await fetch(`${server.url}/status/anything`, { method: "POST" });
      expect(response.status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
