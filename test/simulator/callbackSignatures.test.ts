import { webcrypto } from "node:crypto";
import plivo from "plivo";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import {
  plivoSignatureV3,
  TELNYX_PUBLIC_KEY,
  telnyxSignature,
  twilioSignature,
} from "../../src/simulator/statusCallbacks.js";

// The simulator signs its callbacks with its own code; each provider's official SDK (or, for
// Telnyx, the Web Crypto check the SDK itself uses) must accept them, and refuse a changed one.
const URL_ = "https://sms.example.com/status/office";
const FIELDS = { MessageSid: "SM0123", MessageStatus: "delivered", To: "+15550100001" };

describe("the simulator's callback signatures", () => {
  it("Twilio: X-Twilio-Signature passes twilio.validateRequest", () => {
    const signature = twilioSignature("token", URL_, FIELDS);
    expect(twilio.validateRequest("token", signature, URL_, FIELDS)).toBe(true);
    expect(twilio.validateRequest("other", signature, URL_, FIELDS)).toBe(false);
    expect(
      twilio.validateRequest("token", signature, URL_, { ...FIELDS, MessageStatus: "failed" }),
    ).toBe(false);
  });

  it("Plivo: X-Plivo-Signature-V3 passes plivo.validateV3Signature, with and without a query", () => {
    for (const url of [URL_, `${URL_}?b=2&a=1`]) {
      const signature = plivoSignatureV3("token", url, FIELDS, "12345");
      expect(plivo.validateV3Signature("POST", url, "12345", "token", signature, FIELDS)).toBe(
        true,
      );
      expect(plivo.validateV3Signature("POST", url, "12346", "token", signature, FIELDS)).toBe(
        false,
      );
    }
  });

  it("Telnyx: the Ed25519 signature verifies against the published public key", async () => {
    const body = '{"data":{"event_type":"message.finalized"}}';
    const signature = Buffer.from(telnyxSignature("1700000000", body), "base64");
    const key = await webcrypto.subtle.importKey(
      "raw",
      Buffer.from(TELNYX_PUBLIC_KEY, "base64"),
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    const verify = (text: string) =>
      webcrypto.subtle.verify("Ed25519", key, signature, new TextEncoder().encode(text));
    expect(await verify(`1700000000|${body}`)).toBe(true);
    expect(await verify(`1700000001|${body}`)).toBe(false);
  });
});
