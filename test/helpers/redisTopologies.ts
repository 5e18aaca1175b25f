// Redis as teams run it, on free loopback ports: a master with a replica watched by a
// sentinel, and a three-master cluster. Built from the same redis-server binary.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports.js";
import { type RedisServer, startRedis } from "./redisServer.js";

const run = promisify(execFile);

/** `redis-cli -p <port> …`, its output trimmed. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...args]);
  return stdout.trim();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface SentinelSetup {
  /** `redis+sentinel://127.0.0.1:<port>/mymaster/0` */
  url: string;
  master: RedisServer;
  replica: RedisServer;
  /** Makes the sentinel promote the replica, and waits until it names the new master. */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

/** A master, one replica in sync with it, and one sentinel watching them (quorum 1). */
export async function startSentinelSetup(): Promise<SentinelSetup> {
  const master = await startRedis();
  const replica = await startRedis(["--replicaof", "127.0.0.1", String(master.port)]);
  await until("the replica to be in sync", async () =>
    /state=online/.test(await redisCli(master.port, "info", "replication")),
  );
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "sms-mcp-sentinel-"));
  const config = join(dir, "sentinel.conf");
  writeFileSync(
    config,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
      "sentinel down-after-milliseconds mymaster 1000",
      "sentinel failover-timeout mymaster 5000",
      "",
    ].join("\n"),
  );
  const sentinel: ChildProcess = spawn("redis-server", [config, "--sentinel"], {
    stdio: "ignore",
  });
  const masterPort = async () =>
    (await redisCli(port, "sentinel", "get-master-addr-by-name", "mymaster")).split("\n")[1];
  await until(
    "the sentinel to watch the master",
    async () => (await masterPort()) === String(master.port),
  );
  return {
    url: `redis+sentinel://127.0.0.1:${port}/mymaster/0`,
    master,
    replica,
    async failover() {
      await until("the sentinel to know the replica", async () =>
        (await redisCli(port, "sentinel", "replicas", "mymaster")).includes(String(replica.port)),
      );
      await redisCli(port, "sentinel", "failover", "mymaster");
      await until(
        "the replica to be promoted",
        async () => (await masterPort()) === String(replica.port),
      );
      await until("the new master to take writes", async () =>
        /role:master/.test(await redisCli(replica.port, "info", "replication")),
      );
    },
    async stop() {
      sentinel.kill("SIGKILL");
      await Promise.all([master.stop(), replica.stop()]);
    },
  };
}

export interface ClusterNode extends RedisServer {
  /** The node's cluster id. */
  id: string;
}

export interface ClusterSetup {
  /** The nodes as SMS_MCP_REDIS_URL lists them with SMS_MCP_REDIS_CLUSTER=1. */
  url: string;
  nodes: ClusterNode[];
  /** The node serving `slot` as master now, and its replicas. */
  shardOf(slot: number): Promise<{ master: ClusterNode; replicas: ClusterNode[] }>;
  /** The slot of the first key matching `pattern` on any master (e.g. `sms-mcp:*dup:*`). */
  slotOfKey(pattern: string): Promise<number>;
  /** `CLUSTER FAILOVER` on `replica`: it becomes its master's master; waits until all agree. */
  failover(replica: ClusterNode): Promise<void>;
  /** Moves `slot` and its keys to `target` (a master), as `redis-cli --cluster reshard` does. */
  moveSlot(slot: number, target: ClusterNode): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Three masters sharing the 16,384 slots, each with `replicasPerMaster` replicas. The node
 * timeout is long (15 s): a replica the test freezes is not failed over behind its back.
 */
export async function startCluster({ replicasPerMaster = 0 } = {}): Promise<ClusterSetup> {
  const servers = await Promise.all(
    Array.from({ length: 3 * (1 + replicasPerMaster) }, () =>
      startRedis(["--cluster-enabled", "yes", "--cluster-node-timeout", "15000"]),
    ),
  );
  await run("redis-cli", [
    "--cluster",
    "create",
    ...servers.map((node) => `127.0.0.1:${node.port}`),
    "--cluster-replicas",
    String(replicasPerMaster),
    "--cluster-yes",
  ]);
  const nodes: ClusterNode[] = await Promise.all(
    servers.map(async (server) =>
      Object.assign(server, { id: await redisCli(server.port, "cluster", "myid") }),
    ),
  );
  const byId = (id: string) => {
    const node = nodes.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  };
  /** CLUSTER NODES seen from `port`: each node's id, role, master id and served slots. */
  const topology = async (port: number) =>
    (await redisCli(port, "cluster", "nodes")).split("\n").map((line) => {
      const [id = "", , flags = "", masterId = "", , , , , ...ranges] = line.split(" ");
      const serves = (slot: number) =>
        ranges.some((range) => {
          const [first, last = first] = range.split("-").map(Number);
          return first !== undefined && last !== undefined && first <= slot && slot <= last;
        });
      return { id, master: flags.includes("master"), masterId, serves };
    });
  const allOk = async () =>
    (await Promise.all(nodes.map((node) => redisCli(node.port, "cluster", "info")))).every((info) =>
      info.includes("cluster_state:ok"),
    );
  await until("the cluster to be ok", allOk);
  await until("every replica to be in sync", async () =>
    (await Promise.all(nodes.map((node) => redisCli(node.port, "info", "replication")))).every(
      (info) => !info.includes("role:slave") || info.includes("master_link_status:up"),
    ),
  );
  const setup: ClusterSetup = {
    url: nodes.map((node) => `redis://127.0.0.1:${node.port}`).join(","),
    nodes,
    async shardOf(slot) {
      // CLUSTER SLOTS leaves out a replica that has no data yet: CLUSTER NODES names them all.
      const view = await topology(nodes[0]?.port ?? 0);
      const master = view.find((line) => line.master && line.serves(slot));
      if (!master) throw new Error(`no master serves slot ${slot}`);
      const replicas = view.filter((line) => line.masterId === master.id);
      return { master: byId(master.id), replicas: replicas.map((line) => byId(line.id)) };
    },
    async slotOfKey(pattern) {
      for (const node of nodes) {
        const [key] = (await redisCli(node.port, "--scan", "--pattern", pattern)).split("\n");
        if (key) return Number(await redisCli(node.port, "cluster", "keyslot", key));
      }
      throw new Error(`no key matches ${pattern}`);
    },
    async failover(replica) {
      await redisCli(replica.port, "cluster", "failover");
      await until("every node to see the replica as a master", async () =>
        (await Promise.all(nodes.map((node) => topology(node.port)))).every((view) =>
          view.some((line) => line.id === replica.id && line.master),
        ),
      );
      await until("the cluster to be ok", allOk);
    },
    async moveSlot(slot, target) {
      const { master: source } = await setup.shardOf(slot);
      await redisCli(target.port, "cluster", "setslot", String(slot), "importing", source.id);
      await redisCli(source.port, "cluster", "setslot", String(slot), "migrating", target.id);
      for (;;) {
        const keys = (await redisCli(source.port, "cluster", "getkeysinslot", String(slot), "100"))
          .split("\n")
          .filter(Boolean);
        if (keys.length === 0) break;
        await redisCli(
          source.port,
          "migrate",
          "127.0.0.1",
          String(target.port),
          "",
          "0",
          "5000",
          "keys",
          ...keys,
        );
      }
      // Every master learns the new owner (the target first, as redis-cli does).
      const masters = (await topology(target.port)).filter((line) => line.master);
      for (const id of [
        target.id,
        ...masters.map((line) => line.id).filter((id) => id !== target.id),
      ]) {
        await redisCli(byId(id).port, "cluster", "setslot", String(slot), "node", target.id);
      }
      await until(
        "the slot to be served by its new master",
        async () => (await setup.shardOf(slot)).master.id === target.id,
      );
    },
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
  return setup;
}
