import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { RedisTarget } from "../config/redisTarget.js";
import {
  type ClaimDecision,
  type ClaimRequest,
  type EarlierAttempt,
  type GuardrailStore,
  PENDING_STALE_AFTER_MS,
  type RateBucket,
  type RateLimited,
  type Settlement,
} from "../sms/ports/store.js";
import { sha256 } from "../util/hash.js";

/**
 * The Lua both the claim and the look at an earlier attempt start with: Redis's clock in ms,
 * and the attempt holding a duplicate key as {holder, state, at, message id, age ms}, or nil.
 * The age is on Redis's clock, as `at` is: a replica whose own clock is off still tells a send
 * in flight from one whose process is gone.
 */
const HELD = `
local function redisNow()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function heldBy(key, now)
  local held = redis.call('HMGET', key, 'a', 's', 't', 'm')
  if not held[1] then return nil end
  return {held[1], held[2], held[3], held[4] or '', now - tonumber(held[3])}
end`;

/**
 * One atomic step: an earlier identical attempt holding the duplicate key wins; else every
 * bucket (a sorted set of claim times) is checked, and only if all have room is the attempt
 * added to each and recorded as pending under the duplicate key. Times are Redis's own clock,
 * so replicas on machines whose clocks differ still share one window. Each bucket member is
 * `<window ms>:<attempt id>`: a claim leaves the bucket only once the window it was counted
 * with has passed, and the key's expiry only ever grows, so a replica configured with a
 * shorter window never frees a send that another one still counts.
 *
 * KEYS: [duplicate key, bucket...]; ARGV: [attempt id, duplicate window ms (0: no duplicate
 * check, and the first key is a placeholder in the same slot), 1 to only look (nothing is
 * added: what a claim would get now) or 0, (limit, window ms) per bucket].
 * Answers {"claimed"}, {"duplicate", …the holder as HELD gives it} or {"rate", bucket index,
 * retry after ms or -1}.
 */
const CLAIM = `${HELD}
local now = redisNow()
local id = ARGV[1]
local dupWindow = tonumber(ARGV[2])
local lookOnly = ARGV[3] == '1'
if dupWindow > 0 then
  local held = heldBy(KEYS[1], now)
  if held then return {'duplicate', unpack(held)} end
end
for i = 2, #KEYS do
  local limit = tonumber(ARGV[2 + (i - 1) * 2])
  local window = tonumber(ARGV[3 + (i - 1) * 2])
  if limit <= 0 then return {'rate', i - 2, -1} end
  local older = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', now - window, 'WITHSCORES')
  for j = 1, #older, 2 do
    local counted = tonumber(string.match(older[j], '^(%d+):'))
    if not counted or tonumber(older[j + 1]) + counted <= now then
      redis.call('ZREM', KEYS[i], older[j])
    end
  end
  local count = redis.call('ZCOUNT', KEYS[i], '(' .. (now - window), '+inf')
  if count >= limit then
    local oldest = redis.call('ZRANGEBYSCORE', KEYS[i], '(' .. (now - window), '+inf',
      'WITHSCORES', 'LIMIT', count - limit, 1)
    return {'rate', i - 2, tonumber(oldest[2]) + window - now}
  end
end
if lookOnly then return {'claimed'} end
for i = 2, #KEYS do
  local window = tonumber(ARGV[3 + (i - 1) * 2])
  redis.call('ZADD', KEYS[i], now, window .. ':' .. id)
  if redis.call('PTTL', KEYS[i]) < window then redis.call('PEXPIRE', KEYS[i], window) end
end
if dupWindow > 0 then
  redis.call('HSET', KEYS[1], 'a', id, 's', 'pending', 't', now)
  redis.call('PEXPIRE', KEYS[1], dupWindow)
end
return {'claimed'}
`;

/**
 * KEYS: [duplicate key]; ARGV: [attempt id, outcome, message id]. Only the attempt that holds
 * the key settles it: failed frees it, sent and unknown keep it until its window ends. Answers
 * 1, or 0 when the key no longer names this attempt (Redis lost it, or its window ended).
 */
const SETTLE = `
if redis.call('HGET', KEYS[1], 'a') ~= ARGV[1] then return 0 end
if ARGV[2] == 'failed' then redis.call('DEL', KEYS[1]) return 1 end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'm', ARGV[3])
return 1
`;

/** KEYS: [duplicate key]. The attempt holding it (see HELD), or {} when none does. */
const EARLIER = `${HELD}
return heldBy(KEYS[1], redisNow()) or {}
`;

type Reply = [string, ...Array<string | number>];

interface LedgerCommands {
  smsClaim(...args: Array<string | number>): Promise<Reply>;
  smsSettle(...args: Array<string | number>): Promise<number>;
  smsEarlier(key: string): Promise<Array<string | number>>;
}

export interface RedisStoreOptions {
  /** One server, a Sentinel-watched master, or a cluster (see `config/redisTarget.ts`). */
  target: RedisTarget;
  /**
   * In a cluster, every key of the connection carries this hash tag, so that each script's
   * keys are in one slot. Unused elsewhere, where key names stay as earlier versions wrote
   * them (replicas of two versions during an upgrade still share their windows).
   * @default none
   */
  hashTag?: string | undefined;
  /** Every key starts with it. Default: `sms-mcp:`. */
  prefix?: string;
  /**
   * A pending attempt older than this is read as unknown (its replica may have died; Redis
   * cannot tell).
   * @default PENDING_STALE_AFTER_MS (5 minutes)
   */
  stalePendingMs?: number;
  /** Told when the connection fails (the code only: a message could name the URL). */
  onError?: (code: string) => void;
  /** Told when the connection is (again) ready. */
  onReady?: () => void;
  /** Told, on each connect, what this Redis cannot promise a claim (it keeps no AOF). */
  onWeakDurability?: (problem: string) => void;
  /** Told when a sent or unknown outcome came for a claim Redis no longer had. */
  onLostClaim?: (outcome: Settlement["outcome"]) => void;
  /**
   * When the Redis server has replicas, a claim counts only once one of them has it, waited
   * for this long; a replica that does not answer in time refuses the send (nothing sent).
   * @default 1000
   */
  replicaAckTimeoutMs?: number;
}

/**
 * No offline queue and no retries of a command: while Redis cannot be reached a claim fails
 * at once, so the send is refused before the provider; the connection comes back by itself.
 */
const COMMANDS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 2000,
  connectTimeout: 2000,
  retryStrategy: (times) => Math.min(100 * 2 ** times, 2000),
};

/** ioredis's own client for each kind of target (its Sentinel and Cluster support). */
function clientFor(target: RedisTarget): Redis | Cluster {
  switch (target.kind) {
    case "single":
      return new Redis(target.url, { ...COMMANDS, lazyConnect: false });
    case "sentinel":
      return new Redis({
        ...COMMANDS,
        sentinels: target.sentinels,
        name: target.name,
        db: target.db,
        username: target.username,
        password: target.password,
        sentinelUsername: target.username,
        sentinelPassword: target.password,
        // TLS to the sentinels as well as to the master: the password goes to both.
        enableTLSForSentinelMode: target.tls,
        ...(target.tls ? { tls: {}, sentinelTLS: {} } : {}),
      });
    case "cluster":
      return new Cluster(target.nodes, {
        enableOfflineQueue: false,
        clusterRetryStrategy: (times) => Math.min(100 * 2 ** times, 2000),
        redisOptions: {
          ...COMMANDS,
          username: target.username,
          password: target.password,
          ...(target.tls ? { tls: {} } : {}),
        },
      });
  }
}

/** How often the replica count is looked up again while claims go on. */
const REPLICATION_LOOK_MS = 30_000;

/** Key names carry no phone number or text: their parts are hashed. */
function hashed(text: string): string {
  return sha256(text).slice(0, 32);
}

/**
 * The send ledger and guardrail state in Redis, shared exactly by every replica that uses the
 * same server and prefix; each step is one server-side script. While Redis cannot be reached,
 * every claim fails at once (no offline queue), so the send is refused before the provider,
 * and the client reconnects by itself.
 */
export class RedisGuardrailStore implements GuardrailStore {
  private readonly redis: (Redis | Cluster) & LedgerCommands;
  /** The start of every key: the prefix, and in a cluster the connection's hash tag. */
  private readonly keys: string;
  /**
   * A key name in this store's slot (never written): how a cluster's keyless commands reach
   * the slot's master.
   */
  private readonly slotAnchor: string;
  private readonly stalePendingMs: number;
  private readonly replicaAckTimeoutMs: number;
  /** Replicas online at the last look; a claim waits for one of them. */
  private replicas = 0;
  private replicationLookedAt = 0;
  private inspection: Promise<void> = Promise.resolve();

  constructor(private readonly options: RedisStoreOptions) {
    const prefix = options.prefix ?? "sms-mcp:";
    this.stalePendingMs = options.stalePendingMs ?? PENDING_STALE_AFTER_MS;
    this.replicaAckTimeoutMs = options.replicaAckTimeoutMs ?? 1000;
    this.keys =
      options.target.kind === "cluster" && options.hashTag
        ? `${prefix}{${options.hashTag}}:`
        : prefix;
    this.slotAnchor = `${this.keys}nodup`;
    const redis = clientFor(options.target);
    redis.on("error", (error: NodeJS.ErrnoException) => options.onError?.(error.code ?? "error"));
    redis.on("ready", () => {
      options.onReady?.();
      this.inspection = this.inspect(true);
    });
    redis.defineCommand("smsClaim", { lua: CLAIM });
    redis.defineCommand("smsSettle", { numberOfKeys: 1, lua: SETTLE });
    redis.defineCommand("smsEarlier", { numberOfKeys: 1, lua: EARLIER });
    this.redis = redis as (Redis | Cluster) & LedgerCommands;
  }

  /** The Redis key of a duplicate key: its attempt's fields (`a`, `s`, `t`, `m`). */
  private dupKey(duplicateKey: string): string {
    return `${this.keys}dup:${hashed(duplicateKey)}`;
  }

  /** The Redis key of a first sighting, held for its window. */
  private seenKey(key: string): string {
    return `${this.keys}seen:${hashed(key)}`;
  }

  async claim(request: ClaimRequest, _now: number): Promise<ClaimDecision> {
    const { duplicate, buckets, attemptId } = request;
    const reply = await this.runClaim(attemptId, duplicate, buckets, false);
    if (reply[0] === "claimed") {
      await this.replicated();
      return { kind: "claimed" };
    }
    if (reply[0] === "rate") return this.rateLimitedBy(reply, buckets);
    const [, ...held] = reply;
    return { kind: "duplicate", earlier: this.earlierOf(held) };
  }

  /** The claim script, looking only: what the buckets would say to a claim now. */
  async rateRefusal(buckets: RateBucket[]): Promise<RateLimited | undefined> {
    const reply = await this.runClaim("", undefined, buckets, true);
    return reply[0] === "rate" ? this.rateLimitedBy(reply, buckets) : undefined;
  }

  private runClaim(
    attemptId: string,
    duplicate: ClaimRequest["duplicate"],
    buckets: RateBucket[],
    lookOnly: boolean,
  ): Promise<Reply> {
    const keys = [
      duplicate ? this.dupKey(duplicate.key) : this.slotAnchor,
      ...buckets.map((bucket) => `${this.keys}rate:${hashed(bucket.key)}`),
    ];
    const args = [attemptId, duplicate?.windowMs ?? 0, lookOnly ? 1 : 0];
    for (const bucket of buckets) args.push(bucket.limit, bucket.windowMs);
    return this.redis.smsClaim(keys.length, ...keys, ...args);
  }

  /** The claim script's {"rate", bucket index, retry after ms or -1}. */
  private rateLimitedBy(reply: Reply, buckets: RateBucket[]): RateLimited {
    const bucket = buckets[Number(reply[1])];
    if (!bucket) throw new Error("the claim script named a bucket it was not given");
    const wait = Number(reply[2]);
    return { kind: "rate_limited", bucket, retryAfterMs: wait < 0 ? undefined : wait };
  }

  async earlier(duplicateKey: string): Promise<EarlierAttempt | undefined> {
    const held = await this.redis.smsEarlier(this.dupKey(duplicateKey));
    return held.length === 0 ? undefined : this.earlierOf(held);
  }

  /** The holder of a duplicate key, as the scripts' HELD gives it, as an earlier attempt. */
  private earlierOf([holder, state, at, messageId, ageMs]: Array<string | number>): EarlierAttempt {
    const since = Number(at);
    const attemptId = String(holder);
    if (state === "sent") {
      const id = messageId ? String(messageId) : undefined;
      return { state: "sent", at: since, attemptId, messageId: id };
    }
    const live = state === "pending" && Number(ageMs) < this.stalePendingMs;
    return { state: live ? "pending" : "unknown", at: since, attemptId };
  }

  async settle(
    attemptId: string,
    duplicateKey: string | undefined,
    settlement: Settlement,
  ): Promise<void> {
    if (duplicateKey === undefined) return;
    const messageId = settlement.outcome === "sent" ? settlement.messageId : "";
    const settled = await this.redis.smsSettle(
      this.dupKey(duplicateKey),
      attemptId,
      settlement.outcome,
      messageId,
    );
    // Releasing a claim that never landed is no loss; an outcome without its claim is.
    if (settled === 0 && settlement.outcome !== "failed") {
      this.options.onLostClaim?.(settlement.outcome);
    }
  }

  async sharedSecret(name: string, created: string): Promise<string> {
    const key = `${this.keys}secret:${name}`;
    // SET NX then GET: whichever replica came first, every one reads the same value.
    await this.redis.set(key, created, "NX");
    const kept = await this.redis.get(key);
    if (kept === null) throw new Error("Redis did not keep the shared secret");
    return kept;
  }

  async firstSighting(key: string, windowMs: number): Promise<boolean> {
    const set = await this.redis.set(this.seenKey(key), "1", "PX", windowMs, "NX");
    if (set !== "OK") return false;
    // A spent confirmation must survive a failover like a claim.
    await this.replicated();
    return true;
  }

  async sighted(key: string): Promise<boolean> {
    return (await this.redis.exists(this.seenKey(key))) === 1;
  }

  /**
   * A claim on a server with replicas counts once a replica has it: a failover to a replica
   * that missed it would let an identical text out again.
   * @throws {Error} when no replica acknowledged it in time (the caller releases the claim).
   */
  private async replicated(): Promise<void> {
    if (Date.now() - this.replicationLookedAt > REPLICATION_LOOK_MS) {
      this.inspection = this.inspect(false);
    }
    await this.inspection;
    if (this.replicas === 0) return;
    if ((await this.replicaAcks()) >= 1) return;
    // The replica count may be stale (a failover made the replica the master): look again,
    // and wait only for replicas that are there now.
    this.inspection = this.inspect(false);
    await this.inspection;
    if (this.replicas === 0) return;
    if ((await this.replicaAcks()) >= 1) return;
    throw new Error("no Redis replica acknowledged the claim in time");
  }

  /** `WAIT 1` on the connection that carried the claim (in a cluster, the slot's master's). */
  private async replicaAcks(): Promise<number> {
    return Number(await this.onSlotMaster("wait", 1, this.replicaAckTimeoutMs));
  }

  /**
   * Replicas online on the master that takes the claims (one still taking its first copy gets
   * the claim with that copy).
   */
  private async onlineReplicas(): Promise<number> {
    const replication = String(await this.onSlotMaster("info", "replication"));
    return replication.match(/^slave\d+:.*state=online/gm)?.length ?? 0;
  }

  /**
   * A keyless command on the master this store's keys live on. A cluster sends a keyless
   * command to any node, so there it rides a pipeline with a key of the store's slot: ioredis
   * sends a pipeline's commands to one node, the slot's master, over its one connection.
   */
  private async onSlotMaster(command: "wait" | "info", ...args: Array<string | number>) {
    if (!(this.redis instanceof Cluster)) return this.redis.call(command, ...args);
    const replies = await this.redis
      .pipeline()
      .exists(this.slotAnchor)
      .call(command, ...args)
      .exec();
    const [error, reply] = replies?.[1] ?? [new Error("Redis answered no pipeline"), null];
    if (error) throw error;
    return reply;
  }

  /** Looks up the server's persistence (said on connect) and how many replicas it has. */
  private async inspect(onConnect: boolean): Promise<void> {
    this.replicationLookedAt = Date.now();
    try {
      const [persistence, replicas] = await Promise.all([
        onConnect ? this.onSlotMaster("info", "persistence") : "",
        this.onlineReplicas(),
      ]);
      this.replicas = replicas;
      if (/^aof_enabled:0/m.test(String(persistence))) {
        this.options.onWeakDurability?.(
          "Redis keeps no append-only file (appendonly no): a restart loses the claims of texts in flight and in their windows, and an identical text can then be sent again; set appendonly yes",
        );
      }
    } catch {
      // INFO refused (a managed Redis may rename or forbid it): nothing is known, so no claim
      // waits for a replica. Said once per connect, as the persistence warning is.
      if (onConnect) {
        this.options.onWeakDurability?.(
          "Redis refused INFO, so sms-mcp cannot tell whether it has replicas and no claim waits for one: a failover to a replica that missed a claim could let an identical text out again; allow INFO for this user, or use a Redis without replicas",
        );
      }
    }
  }

  /** Resolves true once connected, false if that takes longer than `timeoutMs`. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === "ready") return true;
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.redis.off("ready", onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.once("ready", onReady);
    });
  }

  async isReady(): Promise<boolean> {
    if (this.redis.status !== "ready") return false;
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
