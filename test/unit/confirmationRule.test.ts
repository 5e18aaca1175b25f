// The confirmation step in-process (DESIGN §16): a fake SmsProvider (the port, not an SDK),
// the memory store, and confirmers that answer as a client would. What the person is asked,
// and what goes out, in the corners end-to-end tests cannot reach on purpose.
import { describe, expect, it } from "vitest";
import type { ConfirmationAnswer, Confirmer } from "../../src/sms/confirmation.js";
import { SmsError } from "../../src/sms/errors.js";
import { DEFAULT_GUARDRAILS, type GuardrailSettings } from "../../src/sms/guardrails/settings.js";
import type { OutgoingSms, SmsProvider } from "../../src/sms/ports/provider.js";
import type { GuardrailStore } from "../../src/sms/ports/store.js";
import type { AwaitingPerson, SendOutcome } from "../../src/sms/sendResult.js";
import { SmsService } from "../../src/sms/smsService.js";
import { MemoryGuardrailStore } from "../../src/state/memoryStore.js";

const FROM = "+14155550100";
const TO = "+14155550123";
const TEXT = { to_: TO, message: "Your table is ready." };

function build(
  guardrails: Partial<GuardrailSettings>,
  store: GuardrailStore = new MemoryGuardrailStore(),
  /** How the provider answers each text it is handed; default: taken. */
  answer: (count: number) => void = () => undefined,
) {
  const sent: OutgoingSms[] = [];
  const provider: SmsProvider = {
    name: "twilio",
    async send(message) {
      sent.push(message);
      answer(sent.length);
      return { messageId: `SM${sent.length}`, status: "queued" };
    },
    listSenders: async () => [],
    verify: async () => ({ id: "AC1" }),
  };
  const service = new SmsService({
    connection: { id: "sales", label: "Sales", provider: "twilio", defaultFrom: FROM },
    guardrails: { ...DEFAULT_GUARDRAILS, ...guardrails },
    provider,
    store,
    audit: { append: async () => undefined },
    logger: {
      debug: () => undefined,
      warn: () => undefined,
      error: () => undefined,
      isLevelEnabled: () => false,
    },
    sleep: async () => undefined,
  });
  return { service, sent };
}

/** A client that answers every question the same way, and counts the questions. */
function answering(answer: ConfirmationAnswer): Confirmer & { asked: number } {
  const confirmer = Object.assign(
    async () => {
      confirmer.asked += 1;
      return answer;
    },
    { asked: 0 },
  );
  return confirmer;
}

function category(outcome: SendOutcome | AwaitingPerson): string | undefined {
  return "details" in outcome ? outcome.details.error?.category : undefined;
}

function status(outcome: SendOutcome | AwaitingPerson): string | undefined {
  return "details" in outcome && outcome.ok ? outcome.details.status : undefined;
}

describe("the read-back", () => {
  it("sends once per read-back, even with no duplicate window", async () => {
    const { service, sent } = build({ confirm: "ask", duplicateWindowSeconds: 0 });
    const cannot = answering({ kind: "cannot_ask" });
    expect(category(await service.send(TEXT, cannot))).toBe("confirmation_required");
    const second = await service.send(TEXT, cannot);
    expect(status(second)).toBe("sent");
    expect("details" in second && second.details.confirmedBy).toBe("read-back");
    const third = await service.send(TEXT, cannot);
    expect(category(third)).toBe("confirmation_required");
    expect("details" in third && third.details.error?.reason).toMatch(
      /sent after a read-back moments ago/,
    );
    expect(sent).toHaveLength(1);
  });

  it.each(["ask", "human"] as const)(
    "no answer in %s mode offers no read-back: the next call asks again, nothing sent",
    async (confirm) => {
      const { service, sent } = build({ confirm });
      const silent = answering({ kind: "no_answer" });
      const first = await service.send(TEXT, silent);
      expect(category(first)).toBe("confirmation_timeout");
      expect("details" in first && first.details.error?.reason).not.toMatch(/read .* back/);
      expect(category(await service.send(TEXT, silent))).toBe("confirmation_timeout");
      expect(silent.asked).toBe(2);
      expect(sent).toHaveLength(0);
    },
  );

  it("a declined form offers no read-back: the identical call asks again", async () => {
    const { service, sent } = build({ confirm: "ask" });
    const no = answering({ kind: "declined" });
    expect(category(await service.send(TEXT, no))).toBe("declined");
    expect(category(await service.send(TEXT, no))).toBe("declined");
    expect(no.asked).toBe(2);
    expect(sent).toHaveLength(0);
  });
});

describe("a text already sent is not put to the person", () => {
  it("answers a duplicate without asking", async () => {
    const { service, sent } = build({ confirm: "human" });
    expect(status(await service.send(TEXT, answering({ kind: "accepted" })))).toBe("sent");
    const never = answering({ kind: "declined" });
    expect(status(await service.send(TEXT, never))).toBe("duplicate");
    expect(never.asked).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it("if the earlier record ends between the look and the claim, nothing goes unapproved", async () => {
    // A store whose look says "sent" while its claim finds the key free: the window ending
    // (or the earlier attempt failing) in between.
    const memory = new MemoryGuardrailStore();
    const racing: GuardrailStore = {
      claim: (request, now) => memory.claim(request, now),
      settle: (attemptId, key, settlement) => memory.settle(attemptId, key, settlement),
      earlier: async (_key, now) => ({ state: "sent", at: now, attemptId: "a0", messageId: "SM0" }),
    };
    const { service, sent } = build({ confirm: "human" }, racing);
    const never = answering({ kind: "declined" });
    const outcome = await service.send(TEXT, never);
    expect(category(outcome)).toBe("confirmation_required");
    expect(never.asked).toBe(0);
    expect(sent).toHaveLength(0);
    // The claim was let go: once the look tells the truth, the person is asked and a yes sends.
    racing.earlier = async () => undefined;
    expect(status(await service.send(TEXT, answering({ kind: "accepted" })))).toBe("sent");
    expect(sent).toHaveLength(1);
  });
});

it("a sealed yes is spent once", async () => {
  const { service, sent } = build({ confirm: "ask", duplicateWindowSeconds: 0 });
  const yes = answering({ kind: "accepted", nonce: "n-1" });
  expect(status(await service.send(TEXT, yes))).toBe("sent");
  expect(category(await service.send(TEXT, yes))).toBe("confirmation_invalid");
  expect(status(await service.send(TEXT, answering({ kind: "accepted", nonce: "n-2" })))).toBe(
    "sent",
  );
  expect(sent).toHaveLength(2);
});

it("without a confirmer (sms-mcp send, typed by a person) nothing is asked", async () => {
  const { service, sent } = build({ confirm: "human" });
  expect(status(await service.send(TEXT))).toBe("sent");
  expect(sent).toHaveLength(1);
});

describe("a ledger that cannot be reached while confirming (Redis down)", () => {
  /** A store whose claims work but whose memory of sightings is gone, as ioredis fails. */
  function unreachableSightings(): GuardrailStore {
    const store = new MemoryGuardrailStore();
    const down = async (): Promise<never> => {
      throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    };
    return Object.assign(store, { firstSighting: down, sighted: down });
  }

  it.each([
    ["a sealed yes, whose nonce cannot be spent", { kind: "accepted", nonce: "n-1" }],
    ["a client that cannot ask, whose read-back cannot be offered", { kind: "cannot_ask" }],
  ] as const)("%s: unavailable, retryable, nothing sent", async (_name, answer) => {
    const { service, sent } = build({ confirm: "ask" }, unreachableSightings());
    const outcome = await service.send(TEXT, answering(answer));
    expect("details" in outcome && outcome.details.error).toMatchObject({
      category: "unavailable",
      retryable: true,
    });
    expect(sent).toHaveLength(0);
  });
});

it("an identical attempt whose outcome is open answers as the claim says (unconfirmed), not as the full bucket it fills", async () => {
  // The first text times out at the provider: its outcome is unknown, and it used the
  // recipient's only slot.
  const { service, sent } = build(
    { confirm: "ask", perRecipient: { limit: 1, windowSeconds: 3600 } },
    undefined,
    (count) => {
      if (count === 1)
        throw new SmsError({
          category: "provider_unavailable",
          reason: "no answer in time",
          retryable: true,
        });
    },
  );
  const yes = answering({ kind: "accepted" });
  expect(category(await service.send(TEXT, yes))).toBe("provider_unavailable");
  const again = await service.send(TEXT, yes);
  expect(category(again)).toBe("unconfirmed");
  expect("details" in again && again.details.error?.retryable).toBe(false);
  expect(sent).toHaveLength(1);
});
