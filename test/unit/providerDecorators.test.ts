// The wrappers every provider passes through (answer checks, deadline, error mapping) are one
// decorator over the port's method list: each forwards every method, with its arguments, and
// adds only its own job. The port's side is a plain object implementing SmsProvider (no SDK).
import { describe, expect, it } from "vitest";
import { withDeadline } from "../../src/providers/deadline.js";
import { aroundEveryCall, PROVIDER_METHODS } from "../../src/providers/decorate.js";
import { withMappedErrors } from "../../src/providers/providerErrors.js";
import { withCheckedAnswers } from "../../src/providers/untrusted.js";
import { SmsError } from "../../src/sms/errors.js";
import type { SmsProvider } from "../../src/sms/ports/provider.js";

const MESSAGE_ID = `SM${"0".repeat(32)}`;
const POOL = { kind: "messaging_service", id: `MG${"1".repeat(32)}`, name: "Bookings" } as const;
const REPORT = { messageId: MESSAGE_ID, providerStatus: "delivered", errorCode: undefined };

/** Every method of the port, each recording its name and arguments and answering validly. */
function everyMethod() {
  const calls: Array<[string, unknown[]]> = [];
  const record =
    <T>(method: string, answer: T) =>
    async (...args: unknown[]) => {
      calls.push([method, args]);
      return answer;
    };
  const provider: Required<SmsProvider> = {
    name: "twilio",
    send: record("send", { messageId: MESSAGE_ID, status: "queued", segments: 1 }),
    listSenders: record("listSenders", [{ number: "+14155550100", sms: true }]),
    listSenderPools: record("listSenderPools", [POOL]),
    senderPoolState: record("senderPoolState", "ready" as const),
    verify: record("verify", { id: "AC1", name: "Dental", status: "active" }),
    prepare: record("prepare", undefined),
    findSent: record("findSent", MESSAGE_ID),
    messageStatus: record("messageStatus", REPORT),
    readStatusCallback: record("readStatusCallback", {
      report: REPORT,
      replayKey: "k",
      replayWindowMs: 1000,
    }),
  };
  return { provider, calls };
}

/** Calls every method of `provider` with an argument that names it. */
async function callEveryMethod(provider: SmsProvider): Promise<void> {
  for (const method of PROVIDER_METHODS) {
    const call = provider[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    await call?.call(provider, `argument of ${method}`);
  }
}

const DECORATORS: Array<[string, (provider: SmsProvider) => SmsProvider]> = [
  ["the answer checks", (provider) => withCheckedAnswers(provider, () => undefined)],
  ["the deadline", (provider) => withDeadline(provider, 1000)],
  ["the error mapping", (provider) => withMappedErrors(provider, () => new Error("x") as SmsError)],
  ["a bare decorator", (provider) => aroundEveryCall(provider, (_method, run) => run())],
];

describe.each(DECORATORS)("%s", (_name, decorate) => {
  it("forwards every method of the port, with its arguments, and keeps the name", async () => {
    const { provider, calls } = everyMethod();
    const decorated = decorate(provider);
    expect(decorated.name).toBe("twilio");
    await callEveryMethod(decorated);
    expect(calls).toEqual(
      PROVIDER_METHODS.map((method) => [method, [`argument of ${method}`]] as [string, unknown[]]),
    );
  });

  it("leaves out an optional method the adapter does not have", () => {
    const { provider } = everyMethod();
    const { findSent: _findSent, messageStatus: _messageStatus, ...without } = provider;
    const decorated = decorate(without);
    expect(decorated.findSent).toBeUndefined();
    expect(decorated.messageStatus).toBeUndefined();
    expect(typeof decorated.listSenderPools).toBe("function");
  });
});

describe("the error mapping", () => {
  const failing = (error: unknown): SmsProvider => ({
    name: "plivo",
    send: async () => {
      throw error;
    },
    listSenders: async () => [],
    verify: async () => ({ id: "x" }),
    messageStatus: async () => {
      throw error;
    },
    readStatusCallback: async () => {
      throw error;
    },
  });
  const mapped: Array<[unknown, boolean]> = [];
  const toSmsError = (error: unknown, lookup: boolean) => {
    mapped.push([error, lookup]);
    return new SmsError({ category: "unknown", reason: "mapped", retryable: false });
  };

  it("maps what the SDK threw, telling a message lookup apart; an SmsError passes as it is", async () => {
    mapped.length = 0;
    const sdkError = Object.assign(new Error("Not Found"), { status: 404 });
    const provider = withMappedErrors(failing(sdkError), toSmsError);
    await expect(provider.send({} as never)).rejects.toMatchObject({ reason: "mapped" });
    await expect(provider.messageStatus?.("id")).rejects.toMatchObject({ reason: "mapped" });
    expect(mapped).toEqual([
      [sdkError, false],
      [sdkError, true],
    ]);
    const own = new SmsError({ category: "too_long", reason: "own", retryable: false });
    await expect(withMappedErrors(failing(own), toSmsError).send({} as never)).rejects.toBe(own);
  });

  it("leaves a callback's signature check alone", async () => {
    const thrown = new Error("bad signature");
    const provider = withMappedErrors(failing(thrown), toSmsError);
    await expect(provider.readStatusCallback?.({} as never)).rejects.toBe(thrown);
  });
});
