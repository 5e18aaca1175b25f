// Several machines: --stateless HTTP replicas sharing one real Redis, started on a free
// loopback port by the test. The simulator's request count is the number of texts sent.
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { twilioSignature } from "../../src/simulator/statusCallbacks.js";
import { runCli } from "../helpers/cli.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { sendOverHttp } from "../helpers/mcpHttp.js";
import { freePort } from "../helpers/ports.js";
import { type RedisServer, redisStatus, startRedis } from "../helpers/redisServer.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const status = redisStatus();
if (!status.available && process.env.CI === "true") {
  describe("Redis", () => {
    it("must be installed in CI (.ci/run installs redis-server)", () => {
      throw new Error(status.reason);
    });
  });
}

const PASSWORD = `planted-redis-password-${Date.now()}`;

async function readyz(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`)).status;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!status.available)(
  `replicas sharing Redis${status.available ? "" : ` (skipped: ${status.reason})`}`,
  () => {
    let sim: Simulator;
    let redis: RedisServer;
    let replicas: HttpCli[] = [];
    let prefix = 0;

    beforeAll(async () => {
      sim = await startSimulator();
      redis = await startRedis();
    });
    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await redis?.stop();
      await sim?.close();
    });
    beforeEach(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      replicas = [];
      sim.clear();
      prefix += 1;
    });

    const startReplicas = async (extra: Record<string, string> = {}) => {
      const env = {
        ...providerEnv(sim, "twilio"),
        SMS_MCP_REDIS_URL: redis.url,
        SMS_MCP_REDIS_PREFIX: `test-${prefix}:`,
        SMS_MCP_LOG_LEVEL: "debug",
        ...extra,
      };
      const started = await Promise.all([
        startHttpCli(env, ["--stateless"]),
        startHttpCli(env, ["--stateless"]),
      ]);
      replicas.push(...started);
      return started.map((r) => r.url);
    };

    it("20 identical concurrent calls split across two replicas send one text", async () => {
      const [a, b] = await startReplicas();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          sendOverHttp(
            i % 2 ? (a as string) : (b as string),
            "+15551234567",
            "Your table is ready",
          ),
        ),
      );
      const statuses = results.map((r) => r.structuredContent?.status);
      expect(statuses.filter((s) => s === "sent")).toHaveLength(1);
      expect(statuses.filter((s) => s === "duplicate")).toHaveLength(19);
      expect(sim.requests()).toHaveLength(1);
    });

    it("a text sent with `sms-mcp send` is on record in Redis when the command exits: a replica answers the identical text as a duplicate", async () => {
      const [a] = await startReplicas();
      const env = {
        ...providerEnv(sim, "twilio"),
        SMS_MCP_REDIS_URL: redis.url,
        SMS_MCP_REDIS_PREFIX: `test-${prefix}:`,
      };
      const sent = await runCli(
        ["send", "--to", "+15551234567", "--message", "Your table is ready", "--json"],
        env,
      );
      expect(sent.code).toBe(0);
      const messageId = JSON.parse(sent.stdout).messageId;
      const again = await sendOverHttp(a as string, "+15551234567", "Your table is ready");
      expect(again.structuredContent).toMatchObject({
        status: "duplicate",
        duplicateOf: messageId,
      });
      // From the ledger's record, not from asking Twilio about an attempt left pending.
      expect(again.structuredContent?.notes ?? []).not.toContainEqual(
        expect.stringMatching(/confirms/),
      );
      expect(sim.requests()).toHaveLength(1);
    });

    it("12 distinct sends across two replicas under a cap of 5 send exactly 5", async () => {
      const [a, b] = await startReplicas({ SMS_MCP_RATE_PER_CONNECTION: "5/1h" });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          sendOverHttp(i % 2 ? (a as string) : (b as string), `+1555123450${i % 10}`, `text ${i}`),
        ),
      );
      const refused = results.filter(
        (r) => (r.structuredContent?.error as { category?: string })?.category === "rate_limited",
      );
      expect(refused).toHaveLength(7);
      expect(sim.requests()).toHaveLength(5);
    });

    it("replicas with different rate windows: the shorter one never frees a send the longer one counts", async () => {
      const replica = (rate: string) =>
        startHttpCli(
          {
            ...providerEnv(sim, "twilio"),
            SMS_MCP_REDIS_URL: redis.url,
            SMS_MCP_REDIS_PREFIX: `test-${prefix}:`,
            SMS_MCP_RATE_PER_CONNECTION: rate,
          },
          ["--stateless"],
        );
      const [hourly, perSecond] = await Promise.all([replica("2/1h"), replica("2/1s")]);
      replicas.push(hourly, perSecond);
      const pause = () => new Promise((resolve) => setTimeout(resolve, 1100));
      const send = (server: HttpCli, n: number) =>
        sendOverHttp(server.url, `+1555123460${n}`, `text ${n}`);
      expect((await send(hourly, 1)).structuredContent?.status).toBe("sent");
      await pause();
      // The per-second replica has room (nothing in its last second) and must not drop the
      // hourly replica's send, nor let the bucket expire with its own one-second window.
      expect((await send(perSecond, 2)).structuredContent?.status).toBe("sent");
      await pause();
      const third = await send(hourly, 3);
      expect(third.structuredContent?.error).toMatchObject({ category: "rate_limited" });
      expect(sim.requests()).toHaveLength(2);
    });

    it("Redis stopped: sends refused before the provider, /readyz 503; back: recovery by itself", async () => {
      const [a] = await startReplicas();
      expect(await readyz(a as string)).toBe(200);
      await redis.stop();
      await until(async () => (await readyz(a as string)) === 503, "/readyz to say 503");
      const refused = await sendOverHttp(a as string, "+15551234567", "while Redis is down");
      expect(refused.isError).toBe(true);
      expect(refused.structuredContent?.error).toMatchObject({
        category: "unavailable",
        retryable: true,
      });
      expect(sim.requests()).toHaveLength(0);
      expect(replicas[0]?.child.exitCode).toBeNull();

      await redis.start();
      await until(async () => (await readyz(a as string)) === 200, "/readyz to recover");
      const sent = await sendOverHttp(a as string, "+15551234567", "after Redis is back");
      expect(sent.structuredContent?.status).toBe("sent");
      expect(sim.requests()).toHaveLength(1);
    });

    it("a claim Redis records after the answer timed out: 'nothing was sent, try again' stays true", async () => {
      const [a] = await startReplicas();
      const admin = new Redis(redis.url);
      try {
        // Redis holds every command for 3 s: the claim is recorded after its 2 s timeout.
        await admin.client("PAUSE", 3000, "ALL");
        const first = await sendOverHttp(a as string, "+15551234567", "Your table is ready");
        expect(first.structuredContent?.error).toMatchObject({
          category: "unavailable",
          retryable: true,
        });
        expect(sim.requests()).toHaveLength(0);
        await until(async () => (await readyz(a as string)) === 200, "Redis to answer again");
        // The retry is sent at once: no wait for a claim that never reached the provider.
        const retry = await sendOverHttp(a as string, "+15551234567", "Your table is ready");
        expect(retry.structuredContent?.status).toBe("sent");
      } finally {
        admin.disconnect();
      }
      expect(sim.requests()).toHaveLength(1);
    });

    it("Redis out of memory between the claim and the settle: the log says the text was sent", async () => {
      const [a] = await startReplicas();
      const admin = new Redis(redis.url);
      try {
        // The simulator takes a second to accept this recipient: Redis fills up meanwhile.
        const sending = sendOverHttp(a as string, "+15005550007", "Your order has shipped");
        await sim.waitForRequests(1);
        await admin.config("SET", "maxmemory", "1");
        const sent = await sending;
        expect(sent.structuredContent?.status).toBe("sent");
        const messageId = String(sent.structuredContent?.messageId);
        await until(
          async () =>
            replicas[0]?.stderr().includes("the send ledger could not record it") ?? false,
          "the settle's log line",
        );
        const line = (replicas[0]?.stderr() ?? "")
          .split("\n")
          .find((l) => l.includes("the send ledger could not record it"));
        expect(line).toContain("the text was sent, but");
        expect(line).toContain(messageId);
        expect(line).toContain("ReplyError OOM");
        expect(line).not.toMatch(/not confirmed/);
      } finally {
        await admin.config("SET", "maxmemory", "0");
        admin.disconnect();
      }
      expect(sim.requests()).toHaveLength(1);
    });

    it("a Redis that keeps no append-only file: the start-up log says what that risks", async () => {
      await startReplicas();
      await until(
        async () => replicas[0]?.stderr().includes("appendonly no") ?? false,
        "the persistence warning",
      );
      expect(replicas[0]?.stderr()).toMatch(
        /an identical text can then be sent again; set appendonly yes/,
      );
    });

    it("Redis flushed between a claim and its outcome: the log says the claim was lost", async () => {
      const [a] = await startReplicas();
      const admin = new Redis(redis.url);
      try {
        const sending = sendOverHttp(a as string, "+15005550007", "Your order has shipped");
        await sim.waitForRequests(1);
        await admin.flushall();
        expect((await sending).structuredContent?.status).toBe("sent");
      } finally {
        admin.disconnect();
      }
      await until(
        async () =>
          replicas[0]?.stderr().includes("Redis no longer had this send's claim") ?? false,
        "the lost-claim log line",
      );
    });

    it("a Redis with a replica: a claim counts once the replica has it; a frozen replica refuses the send", async () => {
      const admin = new Redis(redis.url);
      // The first copy to a replica starts at once (Redis waits 5 s for more replicas by default).
      await admin.config("SET", "repl-diskless-sync-delay", "0");
      const replica = await startRedis(["--replicaof", "127.0.0.1", String(redis.port)]);
      try {
        await until(
          async () => /state=online/.test(await admin.info("replication")),
          "the replica to take its first copy",
        );
        const [a] = await startReplicas();
        const one = await sendOverHttp(a as string, "+15551234567", "one");
        expect(one.structuredContent?.status).toBe("sent");
        replica.freeze(true);
        const refused = await sendOverHttp(a as string, "+15551234567", "two");
        expect(refused.structuredContent?.error).toMatchObject({
          category: "unavailable",
          retryable: true,
        });
        expect(sim.requests()).toHaveLength(1);
        replica.freeze(false);
        const retried = await sendOverHttp(a as string, "+15551234567", "two");
        expect(retried.structuredContent?.status).toBe("sent");
      } finally {
        replica.freeze(false);
        admin.disconnect();
        await replica.stop();
      }
      expect(sim.requests()).toHaveLength(2);
    });

    it("a password in the URL never reaches a log or an error", async () => {
      // Nothing listens on port 1: every connection fails, and each failure is logged.
      const [a] = await startReplicas({ SMS_MCP_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:1/0` });
      const refused = await sendOverHttp(a as string, "+15551234567", "with a password in the URL");
      expect(refused.structuredContent?.error).toMatchObject({ category: "unavailable" });
      expect(JSON.stringify(refused)).not.toContain(PASSWORD);
      for (const replica of replicas) {
        expect(replica.stderr()).toMatch(/Redis is not reachable/);
        expect(replica.stderr()).not.toContain(PASSWORD);
      }
      // The same URL against the running Redis (which has no password) sends, and logs no secret.
      const [b] = await startReplicas({
        SMS_MCP_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${redis.port}/0`,
      });
      expect(
        (await sendOverHttp(b as string, "+15551234567", "password ignored")).isError,
      ).toBeFalsy();
      for (const replica of replicas) expect(replica.stderr()).not.toContain(PASSWORD);
      const bad = await runCli(["serve"], {
        ...providerEnv(sim, "twilio"),
        SMS_MCP_REDIS_URL: `http://user:${PASSWORD}@127.0.0.1/`,
      });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/SMS_MCP_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
      expect(bad.stderr).not.toContain(PASSWORD);
    });

    it("a status callback recorded by one replica is a replay to the other: 403", async () => {
      // Both replicas behind one public URL (as behind a load balancer): the providers sign it.
      const [portA, portB] = await Promise.all([freePort(), freePort()]);
      const env = {
        ...providerEnv(sim, "twilio"),
        SMS_MCP_REDIS_URL: redis.url,
        SMS_MCP_REDIS_PREFIX: `test-${prefix}:`,
        SMS_MCP_PUBLIC_URL: `http://127.0.0.1:${portA}`,
      };
      const started = await Promise.all([
        startHttpCli(env, ["--stateless", "--port", String(portA)]),
        startHttpCli(env, ["--stateless", "--port", String(portB)]),
      ]);
      replicas.push(...started);
      const [a, b] = started.map((r) => r.url);
      expect(
        (await sendOverHttp(a as string, "+15551234567", "Reported once")).isError,
      ).toBeFalsy();
      let first: ReturnType<Simulator["callbacks"]>[number] | undefined;
      await until(async () => {
        first = sim.callbacks().find((c) => c.answered === 204);
        return first !== undefined;
      }, "a recorded callback");
      if (!first) throw new Error("no callback");
      const path = new URL(first.url).pathname;
      const replay = await fetch(`${b}${path}`, {
        method: "POST",
        headers: first.headers,
        body: first.body,
      });
      expect(replay.status).toBe(403);
    });

    it("a genuine status callback while Redis is away: 503 to be sent again, then recorded once", async () => {
      const port = await freePort();
      const publicUrl = `http://127.0.0.1:${port}`;
      const server = await startHttpCli(
        {
          ...providerEnv(sim, "twilio"),
          SMS_MCP_REDIS_URL: redis.url,
          SMS_MCP_REDIS_PREFIX: `test-${prefix}-away:`,
          SMS_MCP_PUBLIC_URL: publicUrl,
        },
        ["--stateless", "--port", String(port)],
      );
      replicas.push(server);
      // The callback URL the server asks for, from a real send's reports.
      expect(
        (await sendOverHttp(server.url, "+15551234567", "Asks for reports")).isError,
      ).toBeFalsy();
      const ours = () => sim.callbacks().find((c) => c.url.startsWith(`${publicUrl}/status/`));
      await until(async () => ours() !== undefined, "a callback");
      const url = ours()?.url ?? "";
      const fields = {
        AccountSid: sim.accounts.twilio.accountSid,
        MessageSid: `SM${"7".repeat(32)}`,
        MessageStatus: "delivered",
        ApiVersion: "2010-04-01",
      };
      const post = () =>
        fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilioSignature(sim.accounts.twilio.authToken, url, fields),
          },
          body: new URLSearchParams(fields).toString(),
        });
      await redis.stop();
      try {
        const away = await post();
        expect(away.status).toBe(503);
        expect(away.headers.get("retry-after")).toBe("5");
      } finally {
        await redis.start();
      }
      await until(async () => (await readyz(server.url)) === 200, "Redis back");
      expect((await post()).status).toBe(204);
      expect((await post()).status).toBe(403);
    });

    it("an unreachable Redis at start: the server starts, says so, and refuses sends", async () => {
      await redis.stop();
      try {
        const [a] = await startReplicas();
        expect(await readyz(a as string)).toBe(503);
        expect(replicas[0]?.stderr()).toMatch(/Redis is not reachable/);
        const refused = await sendOverHttp(a as string, "+15551234567", "no Redis at all");
        expect(refused.structuredContent?.error).toMatchObject({ category: "unavailable" });
        expect(sim.requests()).toHaveLength(0);
      } finally {
        await redis.start();
      }
    });
  },
);
