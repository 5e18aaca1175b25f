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

export interface ClusterSetup {
  /** The nodes as SMS_MCP_REDIS_URL lists them with SMS_MCP_REDIS_CLUSTER=1. */
  url: string;
  nodes: RedisServer[];
  stop(): Promise<void>;
}

/** Three masters sharing the 16,384 slots, no replicas. */
export async function startCluster(): Promise<ClusterSetup> {
  const nodes = await Promise.all(
    [0, 1, 2].map(() => startRedis(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"])),
  );
  await run("redis-cli", [
    "--cluster",
    "create",
    ...nodes.map((node) => `127.0.0.1:${node.port}`),
    "--cluster-yes",
  ]);
  await until("the cluster to be ok", async () =>
    (await Promise.all(nodes.map((node) => redisCli(node.port, "cluster", "info")))).every((info) =>
      info.includes("cluster_state:ok"),
    ),
  );
  return {
    url: nodes.map((node) => `redis://127.0.0.1:${node.port}`).join(","),
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}
