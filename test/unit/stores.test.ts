// The GuardrailStore adapters against one contract: the memory store (one process), the local
// ledger file (every process using one state directory) and Redis (every replica).
import { mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync } from "node:fs";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ClaimRequest, GuardrailStore, RateBucket } from "../../src/sms/ports/store.js";
import { ledgerText, parseLedgerLine } from "../../src/state/ledgerLines.js";
import { LocalLedgerStore } from "../../src/state/localLedger.js";
import { MemoryGuardrailStore } from "../../src/state/memoryStore.js";
import { RedisGuardrailStore } from "../../src/state/redisStore.js";
import { type RedisServer, redisStatus, startRedis } from "../helpers/redisServer.js";

const dir = mkdtempSync(join(tmpdir(), "sms-mcp-stores-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const ledgerPath = () => join(dir, `ledger-${++files}.jsonl`);

const bucket = (key: string, limit: number, windowMs = 1000): RateBucket => ({
  key,
  limit,
  windowMs,
  label: key,
});
let attempts = 0;
const request = (
  duplicate: ClaimRequest["duplicate"],
  buckets: RateBucket[] = [],
): ClaimRequest => ({
  attemptId: `a${++attempts}`,
  duplicate,
  buckets,
  attempt: { to: "+14155550123", from: "+14155550100", bodySha256: "0".repeat(64) },
});

/**
 * A store under test, and a second one on the same state (another process, or the same one
 * after a restart).
 */
interface StoreUnderTest {
  first: GuardrailStore;
  second: () => GuardrailStore;
}

// Redis keeps its windows on its own clock: it takes the part of the contract that needs no
// injected time, against a real server (skipped where there is no redis-server binary).
const redisAvailable = redisStatus().available;
let redis: RedisServer | undefined;
const redisStores: RedisGuardrailStore[] = [];
beforeAll(async () => {
  if (redisAvailable) redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(redisStores.map((store) => store.close()));
  await redis?.stop();
});
let prefixes = 0;
async function redisStore(prefix: string): Promise<RedisGuardrailStore> {
  if (!redis) throw new Error("no Redis for this test");
  const store = new RedisGuardrailStore({ target: { kind: "single", url: redis.url }, prefix });
  redisStores.push(store);
  if (!(await store.waitUntilReady(5000))) throw new Error("Redis did not answer");
  return store;
}

const storesOnAnInjectedClock: Array<[string, () => Promise<StoreUnderTest>]> = [
  [
    "MemoryGuardrailStore",
    async () => {
      const store = new MemoryGuardrailStore();
      return { first: store, second: () => store };
    },
  ],
  [
    "LocalLedgerStore",
    async () => {
      const path = ledgerPath();
      return {
        first: new LocalLedgerStore({ path }),
        second: () => new LocalLedgerStore({ path }),
      };
    },
  ],
];
const everyStore: Array<[string, () => Promise<StoreUnderTest>]> = [
  ...storesOnAnInjectedClock,
  ...(redisAvailable
    ? [
        [
          "RedisGuardrailStore",
          async () => {
            const prefix = `sms-mcp-contract-${++prefixes}:`;
            const first = await redisStore(prefix);
            const second = await redisStore(prefix);
            return { first, second: () => second };
          },
        ] satisfies [string, () => Promise<StoreUnderTest>],
      ]
    : []),
];

describe.each(everyStore)("%s", (_name, makeStores) => {
  it("checks every bucket before consuming any", async () => {
    const { first: store } = await makeStores();
    const refused = await store.claim(request(undefined, [bucket("a", 1), bucket("b", 0)]), 0);
    expect(refused).toMatchObject({ kind: "rate_limited", retryAfterMs: undefined });
    // "a" was not consumed by the refused request.
    expect(await store.claim(request(undefined, [bucket("a", 1)]), 1)).toEqual({
      kind: "claimed",
    });
  });

  it("rateRefusal says what the buckets would say to a claim, and consumes nothing", async () => {
    const { first: store, second } = await makeStores();
    const buckets = [bucket("a", 1, 60_000), bucket("b", 5, 60_000)];
    expect(await store.rateRefusal?.(buckets, 0)).toBeUndefined();
    expect(await store.rateRefusal?.(buckets, 1)).toBeUndefined();
    // Looking twice took no room: the one slot is still there for a claim.
    expect(await store.claim(request(undefined, buckets), 2)).toEqual({ kind: "claimed" });
    // Another process or replica on the same state sees it full.
    expect(await second().rateRefusal?.(buckets, 3)).toMatchObject({
      kind: "rate_limited",
      bucket: { key: "a" },
      retryAfterMs: expect.any(Number),
    });
    expect(await store.rateRefusal?.([bucket("c", 0)], 4)).toMatchObject({
      kind: "rate_limited",
      retryAfterMs: undefined,
    });
  });

  it("a held key: pending, then sent with its id; freed only by a failure; an unknown outcome holds it", async () => {
    const { first: store } = await makeStores();
    const key = { key: "k", windowMs: 60_000 };
    const first = request(key);
    expect(await store.claim(first, 0)).toEqual({ kind: "claimed" });
    expect(await store.claim(request(key), 1)).toEqual({
      kind: "duplicate",
      earlier: { state: "pending", at: expect.any(Number), attemptId: first.attemptId },
    });
    await store.settle(first.attemptId, "k", { outcome: "sent", messageId: "SM1" }, 2);
    expect(await store.claim(request(key), 3)).toMatchObject({
      kind: "duplicate",
      earlier: { state: "sent", attemptId: first.attemptId, messageId: "SM1" },
    });
    expect(await store.earlier?.("k", 3)).toMatchObject({ state: "sent", messageId: "SM1" });

    const other = { key: "other", windowMs: 60_000 };
    const failed = request(other);
    expect(await store.claim(failed, 4)).toEqual({ kind: "claimed" });
    await store.settle(failed.attemptId, "other", { outcome: "failed" }, 5);
    const unknown = request(other);
    expect(await store.claim(unknown, 6)).toEqual({ kind: "claimed" });
    await store.settle(unknown.attemptId, "other", { outcome: "unknown" }, 7);
    expect(await store.claim(request(other), 8)).toMatchObject({
      kind: "duplicate",
      earlier: { state: "unknown", attemptId: unknown.attemptId },
    });
    // Only the attempt that holds a key settles it: a stale "failed" frees nothing.
    await store.settle(failed.attemptId, "other", { outcome: "failed" }, 9);
    expect((await store.claim(request(other), 10)).kind).toBe("duplicate");
  });

  it("duplicates and rates in one step: a held key consumes no rate, a refused rate claims no key", async () => {
    const { first: store } = await makeStores();
    const send = () => request({ key: "k", windowMs: 60_000 }, [bucket("a", 1, 60_000)]);
    const first = send();
    expect(await store.claim(first, 0)).toEqual({ kind: "claimed" });
    expect((await store.claim(send(), 1)).kind).toBe("duplicate");
    await store.settle(first.attemptId, "k", { outcome: "failed" }, 2);
    // The first attempt consumed the only slot: the retry is refused, and leaves the key free.
    expect(await store.claim(send(), 3)).toMatchObject({ kind: "rate_limited" });
    expect(await store.claim(request({ key: "k", windowMs: 60_000 }), 4)).toEqual({
      kind: "claimed",
    });
  });

  it("a second store on the same state sees the first one's claims, outcomes and rates", async () => {
    const { first: before, second } = await makeStores();
    const sent = request({ key: "k", windowMs: 60_000 }, [bucket("conn", 2, 60_000)]);
    await before.claim(sent, 0);
    await before.settle(sent.attemptId, "k", { outcome: "sent", messageId: "SM1" }, 1);
    await before.close?.();

    const after = second();
    expect(await after.claim(request({ key: "k", windowMs: 60_000 }), 2)).toMatchObject({
      kind: "duplicate",
      earlier: { state: "sent", messageId: "SM1" },
    });
    expect((await after.claim(request(undefined, [bucket("conn", 2, 60_000)]), 3)).kind).toBe(
      "claimed",
    );
    expect((await after.claim(request(undefined, [bucket("conn", 2, 60_000)]), 4)).kind).toBe(
      "rate_limited",
    );
  });
});

// The stores that several processes share also keep sightings and secrets for all of them.
describe.each(everyStore.filter(([name]) => name !== "MemoryGuardrailStore"))(
  "%s, shared by processes",
  (_name, makeStores) => {
    it("a first sighting is first once, and stays sighted for its window", async () => {
      const { first: store, second } = await makeStores();
      expect(await store.firstSighting?.("nonce", 60_000, 0)).toBe(true);
      expect(await second().firstSighting?.("nonce", 60_000, 1)).toBe(false);
      expect(await second().sighted?.("nonce", 2)).toBe(true);
      expect(await store.sighted?.("never", 2)).toBe(false);
    });

    it("a shared secret is the first one offered, for every store on the same state", async () => {
      const { first: store, second } = await makeStores();
      const name = `secret-${++prefixes}`;
      const kept = await store.sharedSecret?.(name, "first");
      expect(kept).toBe("first");
      expect(await second().sharedSecret?.(name, "second")).toBe("first");
    });
  },
);

describe.skipIf(!redisAvailable)("RedisGuardrailStore's clock", () => {
  it("a pending claim ages on Redis's clock: this machine's clock ten minutes ahead still sees it in flight", async () => {
    const store = await redisStore(`sms-mcp-clock-${++prefixes}:`);
    const key = { key: "k", windowMs: 60 * 60_000 };
    const first = request(key);
    await store.claim(first, 0);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 10 * 60_000);
      expect(await store.claim(request(key), 0)).toMatchObject({
        kind: "duplicate",
        earlier: { state: "pending", attemptId: first.attemptId },
      });
      expect(await store.earlier("k")).toMatchObject({ state: "pending" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("a pending claim older than the stale age on Redis's clock reads as unknown, never as free", async () => {
    if (!redis) throw new Error("no Redis for this test");
    const store = new RedisGuardrailStore({
      target: { kind: "single", url: redis.url },
      prefix: `sms-mcp-clock-${++prefixes}:`,
      stalePendingMs: 50,
    });
    redisStores.push(store);
    await store.waitUntilReady(5000);
    const key = { key: "k", windowMs: 60 * 60_000 };
    const first = request(key);
    await store.claim(first, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.claim(request(key), 0)).toMatchObject({
      kind: "duplicate",
      earlier: { state: "unknown", attemptId: first.attemptId },
    });
    expect(await store.earlier("k")).toMatchObject({ state: "unknown" });
  });
});

describe.each(storesOnAnInjectedClock)("%s on an injected clock", (_name, makeStores) => {
  it("slides: a slot frees exactly one window after the oldest send", async () => {
    const { first: store } = await makeStores();
    const claim = (now: number) => store.claim(request(undefined, [bucket("a", 2)]), now);
    expect((await claim(0)).kind).toBe("claimed");
    expect((await claim(400)).kind).toBe("claimed");
    expect(await claim(500)).toMatchObject({ kind: "rate_limited", retryAfterMs: 500 });
    expect((await claim(1001)).kind).toBe("claimed");
  });

  it("a held key expires with its window; its times are the claim's", async () => {
    const { first: store } = await makeStores();
    const key = { key: "k", windowMs: 1000 };
    const first = request(key);
    expect(await store.claim(first, 0)).toEqual({ kind: "claimed" });
    expect(await store.claim(request(key), 1)).toEqual({
      kind: "duplicate",
      earlier: { state: "pending", at: 0, attemptId: first.attemptId },
    });
    await store.settle(first.attemptId, "k", { outcome: "sent", messageId: "SM1" }, 2);
    expect(await store.claim(request(key), 3)).toEqual({
      kind: "duplicate",
      earlier: { state: "sent", at: 0, attemptId: first.attemptId, messageId: "SM1" },
    });
    const second = request(key);
    expect(await store.claim(second, 1001)).toEqual({ kind: "claimed" });
    await store.settle(second.attemptId, "k", { outcome: "failed" }, 1002);
    const third = request(key);
    expect(await store.claim(third, 1003)).toEqual({ kind: "claimed" });
    await store.settle(third.attemptId, "k", { outcome: "unknown" }, 1004);
    expect(await store.claim(request(key), 1005)).toEqual({
      kind: "duplicate",
      earlier: { state: "unknown", at: 1003, attemptId: third.attemptId },
    });
  });
});

describe("MemoryGuardrailStore", () => {
  it("forgets windows and claims that have aged out, so a long-running server stays flat", async () => {
    const store = new MemoryGuardrailStore();
    for (let i = 0; i < 1000; i++) {
      await store.claim(request(undefined, [bucket(`to:${i}`, 5)]), i);
      await store.claim(request({ key: `k:${i}`, windowMs: 1000 }), i);
    }
    expect(store.size).toBe(2000);
    // Long after every window: one recipient keeps sending, and the old entries go.
    for (let i = 0; i < 3000; i++) {
      await store.claim(request(undefined, [bucket("to:regular", 1e9)]), 10_000 + i);
    }
    expect(store.size).toBe(1);
  });
});

describe("LocalLedgerStore", () => {
  it("a claim that loses the last slot at its place in the file names the caller's own bucket", async () => {
    const path = ledgerPath();
    const first = new LocalLedgerStore({ path });
    const second = new LocalLedgerStore({ path });
    first.open();
    second.open();
    const slot: RateBucket = {
      ...bucket("r", 1, 60_000),
      label: "this recipient",
      rule: "perRecipient",
    };
    expect(await first.claim(request(undefined, [slot]), 0)).toEqual({ kind: "claimed" });
    // The second store has not read the first one's line: its claim is judged at its place.
    expect(await second.claim(request(undefined, [slot]), 1)).toMatchObject({
      kind: "rate_limited",
      bucket: { label: "this recipient", rule: "perRecipient" },
    });
  });

  it("a pending attempt whose process died reads as unknown, never as free", async () => {
    const path = ledgerPath();
    // A claim written by a process that no longer runs (pid 2^22 + 1 is above Linux's limit).
    await writeFile(
      path,
      ledgerText([
        {
          kind: "claim",
          attemptId: "dead",
          at: 0,
          owner: String(4_194_305),
          duplicate: { key: "k", windowMs: 60_000 },
          buckets: [],
        },
      ]),
    );
    const store = new LocalLedgerStore({ path });
    expect(await store.claim(request({ key: "k", windowMs: 60_000 }), 10)).toEqual({
      kind: "duplicate",
      earlier: { state: "unknown", at: 0, attemptId: "dead" },
    });
  });

  it("skips a torn or corrupted line, says so, and the next line starts fresh", async () => {
    const path = ledgerPath();
    const skipped: number[] = [];
    const store = new LocalLedgerStore({ path, onSkippedLines: (n) => skipped.push(n) });
    const first = request({ key: "k", windowMs: 60_000 });
    await store.claim(first, 0);
    const torn = ledgerText([
      { kind: "claim", attemptId: "torn", at: 1, owner: "1", buckets: [] },
    ]).slice(0, 20);
    await appendFile(path, `not json\n${torn}`);
    await store.settle(first.attemptId, "k", { outcome: "sent", messageId: "SM1" }, 2);
    expect(skipped).toEqual([2]);
    const lines = (await readFile(path, "utf8")).split("\n");
    expect(parseLedgerLine(lines.at(-2) ?? "")).toMatchObject({
      kind: "settle",
      attemptId: first.attemptId,
      outcome: "sent",
    });
    const reader = new LocalLedgerStore({ path });
    expect(await reader.claim(request({ key: "k", windowMs: 60_000 }), 3)).toMatchObject({
      kind: "duplicate",
      earlier: { state: "sent" },
    });
  });

  it("compacts to what is still live, and another process follows the new file", async () => {
    const path = ledgerPath();
    const writer = new LocalLedgerStore({ path, compactAtBytes: 4096 });
    const reader = new LocalLedgerStore({ path });
    const held = request({ key: "held", windowMs: 1_000_000 });
    await writer.claim(held, 0);
    await writer.settle(held.attemptId, "held", { outcome: "sent", messageId: "SM1" }, 0);
    await reader.claim(request(undefined), 1);
    for (let i = 0; i < 100; i++) {
      const short = request({ key: `short-${i}`, windowMs: 10 }, [bucket("conn", 1000, 10)]);
      await writer.claim(short, 100 + i * 20);
    }
    expect(readFileSync(path, "utf8").length).toBeLessThan(4096);
    expect(await reader.claim(request({ key: "held", windowMs: 1_000_000 }), 5000)).toMatchObject({
      kind: "duplicate",
      earlier: { state: "sent", messageId: "SM1" },
    });
  });
  it("two processes with different rate windows: the shorter one never frees a send the longer one counts", async () => {
    const path = ledgerPath();
    // Compaction after every line, so what is live is all either process can read back.
    const hourly = new LocalLedgerStore({ path, compactAtBytes: 1 });
    const perMinute = new LocalLedgerStore({ path, compactAtBytes: 1 });
    const hour = (now: number) =>
      hourly.claim(request(undefined, [bucket("conn", 2, 3_600_000)]), now);
    const minute = (now: number) =>
      perMinute.claim(request(undefined, [bucket("conn", 2, 60_000)]), now);
    expect((await hour(0)).kind).toBe("claimed");
    expect((await minute(120_000)).kind).toBe("claimed");
    expect((await minute(240_000)).kind).toBe("claimed");
    // Three sends in the hour: the hourly process has no room left, however the file was rewritten.
    expect(await hour(300_000)).toMatchObject({ kind: "rate_limited" });
    expect(
      await new LocalLedgerStore({ path }).claim(
        request(undefined, [bucket("conn", 2, 3_600_000)]),
        301_000,
      ),
    ).toMatchObject({ kind: "rate_limited" });
  });

  it("two processes with different duplicate windows: a text is held for the window it was recorded with", async () => {
    const path = ledgerPath();
    const daily = new LocalLedgerStore({ path, compactAtBytes: 1 });
    const tenMinutes = new LocalLedgerStore({ path, compactAtBytes: 1 });
    const held = request({ key: "k", windowMs: 86_400_000 });
    await daily.claim(held, 0);
    await daily.settle(held.attemptId, "k", { outcome: "sent", messageId: "SM1" }, 1);
    await tenMinutes.claim(request({ key: "other", windowMs: 600_000 }), 3_600_000);
    expect(
      await tenMinutes.claim(request({ key: "k", windowMs: 600_000 }), 3_600_001),
    ).toMatchObject({
      kind: "duplicate",
      earlier: { state: "sent", messageId: "SM1" },
    });
  });

  it("a file deleted under a running store: the store's held texts go into the new file, both ways", async () => {
    const path = ledgerPath();
    const replaced: number[] = [];
    const running = new LocalLedgerStore({ path, onReplaced: (n) => replaced.push(n) });
    const sent = request({ key: "sent", windowMs: 60_000 }, [bucket("conn", 2, 60_000)]);
    await running.claim(sent, 0);
    await running.settle(sent.attemptId, "sent", { outcome: "sent", messageId: "SM1" }, 1);
    unlinkSync(path);

    // A process started after the deletion writes a new file; the running one's next step
    // notices, reads that file and carries what it holds into it.
    const newcomer = new LocalLedgerStore({ path });
    const theirs = request({ key: "theirs", windowMs: 60_000 });
    expect((await newcomer.claim(theirs, 2)).kind).toBe("claimed");
    expect(await running.claim(request({ key: "theirs", windowMs: 60_000 }), 3)).toMatchObject({
      kind: "duplicate",
    });
    expect(replaced).toEqual([1]);
    expect(await newcomer.claim(request({ key: "sent", windowMs: 60_000 }), 4)).toMatchObject({
      kind: "duplicate",
      earlier: { state: "sent", messageId: "SM1" },
    });
    // The rate bucket kept the running store's send: one slot of two is left.
    expect((await newcomer.claim(request(undefined, [bucket("conn", 2, 60_000)]), 5)).kind).toBe(
      "claimed",
    );
    expect((await newcomer.claim(request(undefined, [bucket("conn", 2, 60_000)]), 6)).kind).toBe(
      "rate_limited",
    );
  });

  it("a file replaced by another under a running store (a restored copy): both files' texts count", async () => {
    const path = ledgerPath();
    const running = new LocalLedgerStore({ path });
    await running.claim(request({ key: "mine", windowMs: 60_000 }), 0);
    const copy = `${path}.restored`;
    const other = new LocalLedgerStore({ path: copy });
    await other.claim(request({ key: "restored", windowMs: 60_000 }), 1);
    other.close();
    renameSync(copy, path);

    expect(await running.claim(request({ key: "restored", windowMs: 60_000 }), 2)).toMatchObject({
      kind: "duplicate",
    });
    const reader = new LocalLedgerStore({ path });
    expect(await reader.claim(request({ key: "mine", windowMs: 60_000 }), 3)).toMatchObject({
      kind: "duplicate",
    });
  });
});

describe.skipIf(!redisAvailable)("a Redis whose ACL refuses INFO (as some managed ones do)", () => {
  it("says at connect that no claim can wait for a replica, and claims go on", async () => {
    const server = await startRedis();
    const admin = new Redis(server.url);
    await admin.call("ACL", "SETUSER", "limited", "on", ">pw", "~*", "&*", "+@all", "-info");
    const warnings: string[] = [];
    const url = server.url.replace("redis://", "redis://limited:pw@");
    // ioredis says on the console that it skips its own ready check.
    const consoleWarn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const store = new RedisGuardrailStore({
      target: { kind: "single", url },
      onWeakDurability: (problem) => warnings.push(problem),
    });
    try {
      expect(await store.waitUntilReady(5000)).toBe(true);
      expect(await store.claim(request(undefined, [bucket("a", 1, 60_000)]), 0)).toEqual({
        kind: "claimed",
      });
      await vi.waitFor(() =>
        expect(warnings.join("\n")).toMatch(/refused INFO.*no claim waits for one/),
      );
    } finally {
      consoleWarn.mockRestore();
      admin.disconnect();
      await store.close();
      await server.stop();
    }
  });
});
