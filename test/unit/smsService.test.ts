// The send pipeline in-process: built from plain values, a fake SmsProvider (the port, not
// an SDK), the memory store and an in-memory audit sink. Every branch a send can take.
import { describe, expect, it, vi } from "vitest";
import { SmsError } from "../../src/sms/errors.js";
import { DEFAULT_GUARDRAILS, type GuardrailSettings } from "../../src/sms/guardrails/settings.js";
import type { AuditRecord } from "../../src/sms/ports/audit.js";
import type { OutgoingSms, SendReceipt, SmsProvider } from "../../src/sms/ports/provider.js";
import type { GuardrailStore } from "../../src/sms/ports/store.js";
import { SmsService } from "../../src/sms/smsService.js";
import { MemoryGuardrailStore } from "../../src/state/memoryStore.js";

const FROM = "+14155550100";
const TO = "+14155550123";

type Answer = SendReceipt | SmsError | Error | (() => Promise<SendReceipt>);

/** A provider that answers from a script, one answer per call, and records every call. */
function fakeProvider(...script: Answer[]) {
  const calls: OutgoingSms[] = [];
  const provider: SmsProvider = {
    name: "twilio",
    async send(message) {
      calls.push(message);
      const answer = script.length > 1 ? script.shift() : script[0];
      if (answer === undefined) return { messageId: `SM${calls.length}`, status: "queued" };
      if (typeof answer === "function") return answer();
      if (answer instanceof Error) throw answer;
      return answer;
    },
    listSenders: async () => [],
    verify: async () => ({ id: "AC1" }),
  };
  return { provider, calls };
}

function build(
  provider: SmsProvider,
  guardrails: Partial<GuardrailSettings> = {},
  audit: { append(record: AuditRecord): Promise<void> } | undefined = undefined,
  store: GuardrailStore = new MemoryGuardrailStore(),
) {
  const records: AuditRecord[] = [];
  const logged: string[] = [];
  let now = Date.parse("2026-12-01T10:00:00Z");
  const service = new SmsService({
    connection: { id: "sales", label: "Sales", provider: "twilio", defaultFrom: FROM },
    guardrails: { ...DEFAULT_GUARDRAILS, ...guardrails },
    provider,
    store,
    audit: audit ?? { append: async (record) => void records.push(record) },
    logger: {
      debug: () => undefined,
      warn: (fields, message) => void logged.push(message, JSON.stringify(fields)),
      error: (fields, message) => void logged.push(message, JSON.stringify(fields)),
      isLevelEnabled: () => false,
    },
    now: () => now,
    sleep: async () => undefined,
  });
  return { service, records, logged, advance: (ms: number) => (now += ms) };
}

const optedOut = () =>
  new SmsError({
    category: "opted_out",
    reason: "the recipient has opted out",
    retryable: false,
    providerCode: "21610",
    certainlyNotSent: true,
  });
const refusedConnection = () =>
  new SmsError({
    category: "provider_unavailable",
    reason: "refused",
    retryable: true,
    safeToResend: true,
  });
const timedOut = () =>
  new SmsError({ category: "provider_unavailable", reason: "timed out", retryable: false });

describe("the send pipeline", () => {
  it("sends a valid text and records it once, with the provider's segment count", async () => {
    const { provider, calls } = fakeProvider({ messageId: "SM1", status: "queued", segments: 3 });
    const { service, records } = build(provider);
    const outcome = await service.send({ to_: TO, message: "Your table is ready" });
    expect(outcome).toMatchObject({
      ok: true,
      details: { status: "sent", messageId: "SM1", segments: 3, encoding: "GSM-7", from: FROM },
    });
    expect(calls).toEqual([
      { to: TO, from: FROM, sender: { kind: "number", value: FROM }, body: "Your table is ready" },
    ]);
    // Write-ahead: a pending line before the provider is called, then the outcome.
    expect(records).toMatchObject([
      { outcome: "pending", messageId: null },
      { outcome: "sent", messageId: "SM1", connection: "Sales" },
    ]);
    expect(records[0]?.attempt).toBe(records[1]?.attempt);
    expect(records[1]?.body).toBeUndefined();
  });

  it.each([
    ["missing recipient", { message: "hi" }, "invalid_input"],
    ["no country code", { to_: "4155550123", message: "hi" }, "invalid_recipient"],
    ["an empty text", { to_: TO, message: "   " }, "invalid_input"],
    ["a number too short for its country", { to_: "+1911", message: "help" }, "invalid_recipient"],
  ])("refuses %s before the provider", async (_name, args, category) => {
    const { provider, calls } = fakeProvider();
    const { service, records } = build(provider);
    const outcome = await service.send(args);
    expect(outcome.ok).toBe(false);
    expect(outcome.details.error?.category).toBe(category);
    expect(calls).toHaveLength(0);
    expect(records).toMatchObject([{ outcome: "refused" }]);
  });

  it.each([
    ["the deny list", { denyList: [TO] }, TO],
    ["the allowed countries", { allowedCountries: ["GB"] }, TO],
    ["an emergency number", {}, "+44999"],
    ["the segment cap", { maxSegments: 1 }, TO],
  ])("policy: %s refuses with a reason and sends nothing", async (_name, guardrails, to) => {
    const { provider, calls } = fakeProvider();
    const { service, records } = build(provider, guardrails);
    const outcome = await service.send({ to_: to, message: "x".repeat(200) });
    expect(outcome).toMatchObject({ ok: false, details: { error: { retryable: false } } });
    expect(calls).toHaveLength(0);
    expect(records).toMatchObject([{ outcome: "refused" }]);
  });

  it("from_ cannot widen the policy: the allowed country is the default sender's", async () => {
    const { provider, calls } = fakeProvider();
    const { service } = build(provider);
    // A UK sender does not make UK recipients allowed on a US connection.
    const outcome = await service.send({
      to_: "+447700900456",
      message: "hi",
      from_: "+447700900123",
    });
    expect(outcome.details.error).toMatchObject({ category: "not_allowed", retryable: false });
    expect(outcome.ok ? "" : outcome.reason).toMatch(/may only text US/);
    expect(calls).toHaveLength(0);
  });

  it("no default sender and no allowedCountries: refused, saying what the owner must set", async () => {
    const { provider, calls } = fakeProvider();
    const service = new SmsService({
      connection: { id: "x", label: "X", provider: "twilio", defaultFrom: undefined },
      guardrails: DEFAULT_GUARDRAILS,
      provider,
      store: new MemoryGuardrailStore(),
      audit: { append: async () => undefined },
      logger: { debug() {}, warn() {}, error() {}, isLevelEnabled: () => false },
    });
    const outcome = await service.send({ to_: TO, message: "hi", from_: FROM });
    expect(outcome.ok ? "" : outcome.reason).toMatch(/must set allowedCountries/);
    expect(calls).toHaveLength(0);
  });

  it("a foreign from_ is checked like the default sender", async () => {
    const { provider, calls } = fakeProvider();
    const { service } = build(provider);
    const outcome = await service.send({ to_: TO, message: "hi", from_: "555" });
    expect(outcome.details.error?.category).toBe("invalid_sender");
    expect(calls).toHaveLength(0);
  });

  it("rate limits: a full window says when to retry; a limit of 0 says never", async () => {
    const { provider, calls } = fakeProvider();
    const { service, records } = build(provider, {
      perRecipient: { limit: 1, windowSeconds: 60 },
    });
    expect((await service.send({ to_: TO, message: "one" })).ok).toBe(true);
    const second = await service.send({ to_: TO, message: "two" });
    expect(second.details.error).toMatchObject({
      category: "rate_limited",
      retryable: true,
      retryAfterSeconds: 60,
    });
    expect(calls).toHaveLength(1);
    expect(records.map((r) => r.outcome)).toEqual(["pending", "sent", "refused"]);
    // The audit line names the setting that refused.
    expect(records.at(-1)).toMatchObject({ errorCategory: "rate_limited", rule: "perRecipient" });

    const closed = build(fakeProvider().provider, {
      perConnection: { limit: 0, windowSeconds: 60 },
    });
    const never = await closed.service.send({ to_: TO, message: "one" });
    expect(never.details.error).toMatchObject({ category: "rate_limited", retryable: false });
    expect(never.details.error?.retryAfterSeconds).toBeUndefined();
  });

  it("a provider refusal is a failure with its category and code, and is recorded", async () => {
    const { provider } = fakeProvider(optedOut());
    const { service, records, logged } = build(provider);
    const outcome = await service.send({ to_: TO, message: "hi" });
    expect(outcome).toMatchObject({
      ok: false,
      reason: "the recipient has opted out",
      details: { status: "failed", error: { category: "opted_out", providerCode: "21610" } },
    });
    expect(records).toMatchObject([
      { outcome: "pending" },
      { outcome: "failed", errorCategory: "opted_out" },
    ]);
    expect(logged).toContain("sms not sent");
    // No number above debug, not even masked.
    expect(logged.join("\n")).not.toContain(TO.slice(-4));
  });

  it("a refused number never reaches a log line above debug, however short", async () => {
    const { service, logged } = build(fakeProvider().provider);
    for (const to_ of ["5551234", "+1555", "+15551234567x"]) {
      expect((await service.send({ to_, message: "hi" })).ok).toBe(false);
    }
    expect(logged).toContain("sms not sent");
    expect(logged.join("\n")).not.toMatch(/555/);
  });

  it("an error that is not an SmsError never shows its text", async () => {
    const { provider } = fakeProvider(new Error("Authorization: Basic c2VjcmV0"));
    const { service } = build(provider);
    const outcome = await service.send({ to_: TO, message: "hi" });
    expect(outcome.details.error?.category).toBe("unknown");
    expect(JSON.stringify(outcome)).not.toContain("c2VjcmV0");
  });

  it("resends once when the provider certainly did not take the text", async () => {
    const { provider, calls } = fakeProvider(refusedConnection(), {
      messageId: "SM2",
      status: "queued",
    });
    const { service } = build(provider);
    const outcome = await service.send({ to_: TO, message: "hi" });
    expect(outcome.details).toMatchObject({ status: "sent", messageId: "SM2" });
    expect(calls).toHaveLength(2);
  });

  it.each([
    ["a timeout (the text may have gone)", timedOut()],
    ["an opt-out", optedOut()],
    [
      "a 429 asking for a long wait",
      new SmsError({
        category: "rate_limited",
        reason: "slow down",
        retryable: true,
        safeToResend: true,
        retryAfterSeconds: 30,
      }),
    ],
  ])("never resends after %s", async (_name, error) => {
    const { provider, calls } = fakeProvider(error, { messageId: "SM2", status: "queued" });
    const { service } = build(provider);
    expect((await service.send({ to_: TO, message: "hi" })).ok).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it("gives up after the one resend", async () => {
    const { provider, calls } = fakeProvider(refusedConnection());
    const { service } = build(provider);
    expect((await service.send({ to_: TO, message: "hi" })).details.error?.category).toBe(
      "provider_unavailable",
    );
    expect(calls).toHaveLength(2);
  });

  it("an identical text after a sent one is answered as a duplicate, not sent", async () => {
    const { provider, calls } = fakeProvider({ messageId: "SM1", status: "queued" });
    const { service, records } = build(provider);
    await service.send({ to_: TO, message: "hi" });
    const again = await service.send({ to_: TO, message: "hi" });
    expect(again).toMatchObject({ ok: true, details: { status: "duplicate", duplicateOf: "SM1" } });
    expect(again.details.notes?.at(-1)).toMatch(/already sent in the last 10 minutes/);
    expect(calls).toHaveLength(1);
    expect(records.map((r) => r.outcome)).toEqual(["pending", "sent", "duplicate"]);
  });

  it("the duplicate window ends, and a different text or recipient is not a duplicate", async () => {
    const { provider, calls } = fakeProvider();
    const { service, advance } = build(provider);
    await service.send({ to_: TO, message: "hi" });
    await service.send({ to_: TO, message: "hi!" });
    await service.send({ to_: "+14155550124", message: "hi" });
    advance(600_001);
    expect((await service.send({ to_: TO, message: "hi" })).details.status).toBe("sent");
    expect(calls).toHaveLength(4);
  });

  it("a failed send releases its claim, so a retry of the same text can go out", async () => {
    const { provider, calls } = fakeProvider(optedOut(), { messageId: "SM2", status: "queued" });
    const { service } = build(provider);
    expect((await service.send({ to_: TO, message: "hi" })).ok).toBe(false);
    expect((await service.send({ to_: TO, message: "hi" })).details.status).toBe("sent");
    expect(calls).toHaveLength(2);
  });

  it("ten identical calls in flight at once send one text and share its answer", async () => {
    let release: () => void = () => undefined;
    const slow = () =>
      new Promise<SendReceipt>((resolve) => {
        release = () => resolve({ messageId: "SM1", status: "queued" });
      });
    const { provider, calls } = fakeProvider(slow);
    const { service, records } = build(provider);
    const answers = Promise.all(
      Array.from({ length: 10 }, () => service.send({ to_: TO, message: "hi" })),
    );
    // The provider is called once the first send's lazy steps have loaded: wait for it, not a turn.
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    release();
    const outcomes = await answers;
    expect(calls).toHaveLength(1);
    expect(outcomes.map((o) => o.details.status).sort()).toEqual([
      "duplicate",
      ...Array(8).fill("duplicate"),
      "sent",
    ]);
    expect(outcomes.filter((o) => o.details.duplicateOf === "SM1")).toHaveLength(9);
    expect(records.filter((r) => r.outcome !== "pending")).toHaveLength(10);
  });

  it("identical calls waiting on a send that fails get its failure", async () => {
    let fail: () => void = () => undefined;
    const slow = () =>
      new Promise<SendReceipt>((_resolve, reject) => {
        fail = () => reject(optedOut());
      });
    const { provider, calls } = fakeProvider(slow);
    const { service, records } = build(provider);
    const answers = Promise.all([
      service.send({ to_: TO, message: "hi" }),
      service.send({ to_: TO, message: "hi" }),
    ]);
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    fail();
    const outcomes = await answers;
    expect(outcomes.map((o) => o.details.error?.category)).toEqual(["opted_out", "opted_out"]);
    expect(calls).toHaveLength(1);
    // The one that waited never reached the provider: a refusal, with the failure's category
    // (`duplicate` is only ever a text already sent).
    expect(records.map((r) => r.outcome).sort()).toEqual(["failed", "pending", "refused"]);
    expect(records.find((r) => r.outcome === "refused")?.errorCategory).toBe("opted_out");
  });

  it.each([
    ["a timeout", timedOut()],
    ["a 5xx", new SmsError({ category: "provider_unavailable", reason: "500", retryable: false })],
    ["an unreadable answer", new Error("Unexpected token < in JSON")],
  ])(
    "after %s the outcome is unknown: the identical text is held back, never resent",
    async (_name, error) => {
      const { provider, calls } = fakeProvider(error, { messageId: "SM2", status: "queued" });
      const { service, records } = build(provider);
      const first = await service.send({ to_: TO, message: "Your code is 123456" });
      expect(first.ok).toBe(false);
      const again = await service.send({ to_: TO, message: "Your code is 123456" });
      expect(again).toMatchObject({
        ok: false,
        details: { status: "failed", error: { category: "unconfirmed", retryable: false } },
      });
      expect(again.ok ? "" : again.reason).toMatch(/may already have arrived.*ask the person/);
      expect(calls).toHaveLength(1);
      expect(records.map((r) => r.outcome)).toEqual(["pending", "unknown", "refused"]);
    },
  );

  describe("settling an unknown outcome where the provider lists recent messages", () => {
    const withLookup = (found: () => Promise<string | undefined>) => {
      const fake = fakeProvider(timedOut(), { messageId: "SM2", status: "queued" });
      const lookups: unknown[] = [];
      fake.provider.findSent = async (lookup) => {
        lookups.push(lookup);
        return found();
      };
      return { ...fake, lookups };
    };

    it("found: the retry answers as a duplicate of the message the provider has", async () => {
      const { provider, calls, lookups } = withLookup(async () => "SM1");
      const { service, records } = build(provider);
      await service.send({ to_: TO, message: "Your code is 1" });
      const again = await service.send({ to_: TO, message: "Your code is 1" });
      expect(again).toMatchObject({
        ok: true,
        details: { status: "duplicate", duplicateOf: "SM1" },
      });
      expect(again.details.notes).toContainEqual(expect.stringMatching(/Twilio confirms/));
      expect(lookups).toEqual([
        { to: TO, from: FROM, body: "Your code is 1", since: expect.any(Number) },
      ]);
      expect(calls).toHaveLength(1);
      // Settled in the ledger: a third call needs no second look.
      await service.send({ to_: TO, message: "Your code is 1" });
      expect(lookups).toHaveLength(1);
      expect(records.map((r) => r.outcome)).toEqual([
        "pending",
        "unknown",
        "duplicate",
        "duplicate",
      ]);
    });

    it("not found long after the attempt: it never reached the provider, so the retry is sent", async () => {
      const { provider, calls } = withLookup(async () => undefined);
      const { service, advance } = build(provider);
      await service.send({ to_: TO, message: "Your code is 2" });
      advance(11_000);
      const again = await service.send({ to_: TO, message: "Your code is 2" });
      expect(again.details).toMatchObject({ status: "sent", messageId: "SM2" });
      expect(again.details.notes).toContainEqual(expect.stringMatching(/never reached Twilio/));
      expect(calls).toHaveLength(2);
    });

    it.each([
      ["not found yet", async () => undefined],
      [
        "the lookup fails",
        async () => {
          throw timedOut();
        },
      ],
    ])("%s: unconfirmed, nothing sent", async (_name, found) => {
      const { provider, calls } = withLookup(found);
      const { service } = build(provider);
      await service.send({ to_: TO, message: "Your code is 3" });
      const again = await service.send({ to_: TO, message: "Your code is 3" });
      expect(again.details.error?.category).toBe("unconfirmed");
      expect(calls).toHaveLength(1);
    });
  });

  it("a store that cannot be reached refuses the send before the provider, and says to retry", async () => {
    const { provider, calls } = fakeProvider();
    const broken = new MemoryGuardrailStore();
    broken.claim = async () => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), {
        code: "ECONNREFUSED",
      });
    };
    const service = new SmsService({
      connection: { id: "sales", label: "Sales", provider: "twilio", defaultFrom: FROM },
      guardrails: DEFAULT_GUARDRAILS,
      provider,
      store: broken,
      audit: { append: async () => undefined },
      logger: { debug() {}, warn() {}, error() {}, isLevelEnabled: () => false },
    });
    const outcome = await service.send({ to_: TO, message: "hi" });
    expect(outcome.details.error).toMatchObject({ category: "unavailable", retryable: true });
    expect(JSON.stringify(outcome)).not.toContain("6379");
    expect(calls).toHaveLength(0);
  });

  it("with the duplicate window off, an identical text goes out again", async () => {
    const { provider, calls } = fakeProvider();
    const { service } = build(provider, { duplicateWindowSeconds: 0 });
    await service.send({ to_: TO, message: "hi" });
    expect((await service.send({ to_: TO, message: "hi" })).details.status).toBe("sent");
    expect(calls).toHaveLength(2);
  });

  it("dry run: every check runs and is recorded, nothing is sent", async () => {
    const { provider, calls } = fakeProvider();
    const { service, records } = build(provider, { dryRun: true });
    const outcome = await service.send({ to_: TO, message: "hi" });
    expect(outcome.details.status).toBe("dry_run");
    expect(outcome.details.messageId).toMatch(/^dryrun-/);
    expect((await service.send({ to_: "+1911", message: "hi" })).ok).toBe(false);
    expect(calls).toHaveLength(0);
    expect(records.map((r) => r.outcome)).toEqual(["dry_run", "refused"]);
  });

  it("notes a link, keeps the body out of the record unless asked, and hashes it", async () => {
    const { provider } = fakeProvider();
    const { service, records } = build(provider, { auditBodies: true });
    const outcome = await service.send({ to_: TO, message: "Pay at https://pay.example/x" });
    expect(outcome.details.notes?.[0]).toMatch(/carriers may silently filter links/);
    expect(records[1]).toMatchObject({ body: "Pay at https://pay.example/x" });
    expect(records[1]?.bodySha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("an audit log that cannot be written is logged, and the answer still goes back", async () => {
    const { provider } = fakeProvider();
    const broken = {
      append: async () => {
        throw Object.assign(new Error("disk full"), { code: "ENOSPC" });
      },
    };
    const { service, logged } = build(provider, {}, broken);
    expect((await service.send({ to_: TO, message: "hi" })).ok).toBe(true);
    expect(logged).toContain("could not write the audit log");
  });

  it("idle() resolves only after every started send has answered", async () => {
    let release: () => void = () => undefined;
    const slow = () =>
      new Promise<SendReceipt>((resolve) => {
        release = () => resolve({ messageId: "SM1", status: "queued" });
      });
    const { provider, calls } = fakeProvider(slow);
    const { service } = build(provider);
    const sending = service.send({ to_: TO, message: "hi" });
    let idle = false;
    const waiting = service.idle().then(() => {
      idle = true;
    });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(idle).toBe(false);
    release();
    await sending;
    await waiting;
    expect(idle).toBe(true);
  });

  it("answers without waiting for the ledger's record of the outcome; idle() waits for it, and the next identical text is a duplicate", async () => {
    const memory = new MemoryGuardrailStore();
    const held: (() => Promise<void>)[] = [];
    // A remote ledger slow to take outcomes, which runs one process's commands in order.
    const inOrder = async () => {
      for (const land of held.splice(0)) await land();
    };
    const store: GuardrailStore = {
      claim: async (request, now) => {
        await inOrder();
        return memory.claim(request, now);
      },
      settle: (attemptId, key, settlement) =>
        new Promise<void>((resolve) => {
          held.push(() => memory.settle(attemptId, key, settlement).then(resolve));
        }),
    };
    const { provider, calls } = fakeProvider({ messageId: "SM1", status: "queued" });
    const { service } = build(provider, {}, undefined, store);
    const first = await service.send({ to_: TO, message: "Your table is ready" });
    expect(first.details.status).toBe("sent");
    expect(held).toHaveLength(1);
    let idle = false;
    const waiting = service.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBe(false);
    const again = await service.send({ to_: TO, message: "Your table is ready" });
    expect(again.details).toMatchObject({ status: "duplicate", duplicateOf: "SM1" });
    await waiting;
    expect(idle).toBe(true);
    expect(calls).toHaveLength(1);
  });
});

describe("a store whose answer is lost", () => {
  /** Records every claim, but the first claim's answer and the first `lostSettles` settles fail. */
  function forgetfulStore(lostSettles: number) {
    const memory = new MemoryGuardrailStore();
    let claims = 0;
    let settles = 0;
    const store: GuardrailStore = {
      async claim(request, now) {
        const decision = await memory.claim(request, now);
        if (++claims === 1) throw new Error("command timed out");
        return decision;
      },
      async settle(attemptId, key, settlement) {
        if (++settles <= lostSettles) throw new Error("command timed out");
        await memory.settle(attemptId, key, settlement);
      },
    };
    return store;
  }

  it.each([
    ["released at once", 0],
    ["released by the retry", 1],
  ])(
    "a claim recorded without an answer is %s: the identical retry is sent, not held back",
    async (_name, lostSettles) => {
      const { provider, calls } = fakeProvider();
      const { service } = build(provider, {}, undefined, forgetfulStore(lostSettles));
      const first = await service.send({ to_: TO, message: "Your table is ready" });
      expect(first.details.error).toMatchObject({ category: "unavailable", retryable: true });
      expect(calls).toHaveLength(0);
      const retry = await service.send({ to_: TO, message: "Your table is ready" });
      expect(retry.details.status).toBe("sent");
      expect(calls).toHaveLength(1);
    },
  );

  it("a claim that can be released by no one: the retry says the ledger is unavailable, nothing sent", async () => {
    const { provider, calls } = fakeProvider();
    const { service } = build(provider, {}, undefined, forgetfulStore(Number.POSITIVE_INFINITY));
    await service.send({ to_: TO, message: "Your table is ready" });
    const retry = await service.send({ to_: TO, message: "Your table is ready" });
    expect(retry.details.error).toMatchObject({ category: "unavailable", retryable: true });
    expect(calls).toHaveLength(0);
  });
});
