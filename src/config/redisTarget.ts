import { ConfigError } from "./configError.js";

export interface RedisNode {
  host: string;
  port: number;
}

/** Where the shared ledger lives: one server, a Sentinel-watched master, or a cluster. */
export type RedisTarget =
  | { kind: "single"; url: string }
  | {
      kind: "sentinel";
      sentinels: RedisNode[];
      /** The master's name, as the sentinels know it. */
      name: string;
      db: number;
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    }
  | {
      kind: "cluster";
      nodes: RedisNode[];
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    };

const SENTINEL = /^redis\+sentinels?:\/\/(?:([^@/]*)@)?([^/]+)\/([^/]+)(?:\/(\d+))?\/?$/;
const NODE = /^(\[[^\]]+\]|[^:,]+)(?::(\d{1,5}))?$/;

function nodesOf(list: string, defaultPort: number): RedisNode[] | undefined {
  const nodes: RedisNode[] = [];
  for (const item of list.split(",")) {
    const match = NODE.exec(item.trim());
    if (!match) return undefined;
    nodes.push({
      host: (match[1] as string).replace(/^\[|\]$/g, ""),
      port: match[2] ? Number(match[2]) : defaultPort,
    });
  }
  return nodes;
}

function credentials(userInfo: string | undefined, setting: string) {
  if (!userInfo) return { username: undefined, password: undefined };
  const [user = "", ...rest] = userInfo.split(":");
  try {
    const password = rest.length > 0 ? decodeURIComponent(rest.join(":")) : undefined;
    return { username: user ? decodeURIComponent(user) : undefined, password };
  } catch {
    throw new ConfigError(`${setting}: the user name or password has a % that is not %XX`);
  }
}

/**
 * The ledger's Redis as written: `redis://` or `rediss://` for one server;
 * `redis+sentinel://[user:password@]host:port[,host:port…]/<master>/<db>` (or
 * `redis+sentinels://` for TLS) for Sentinel; with `cluster` (`SMS_MCP_REDIS_CLUSTER=1`), one
 * or more comma-separated `redis://` node URLs of a Redis Cluster. A message never repeats
 * the value: it may hold a password.
 */
export function redisTargetOf(text: string, cluster: boolean, setting: string): RedisTarget {
  const value = text.trim();
  const sentinel = SENTINEL.exec(value);
  if (sentinel) {
    if (cluster) {
      throw new ConfigError(
        `${setting}: a Sentinel URL cannot also be a cluster; unset SMS_MCP_REDIS_CLUSTER`,
      );
    }
    const sentinels = nodesOf(sentinel[2] as string, 26379);
    if (!sentinels) {
      throw new ConfigError(
        `${setting} must name its sentinels as host:port, comma-separated: redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster/0`,
      );
    }
    return {
      kind: "sentinel",
      sentinels,
      name: sentinel[3] as string,
      db: Number(sentinel[4] ?? 0),
      ...credentials(sentinel[1], setting),
      tls: value.startsWith("redis+sentinels:"),
    };
  }
  const urls = value.split(",").map((part) => part.trim());
  const parsed = urls.map((url) => {
    try {
      const parsedUrl = new URL(url);
      return /^rediss?:$/.test(parsedUrl.protocol) && parsedUrl.hostname !== ""
        ? parsedUrl
        : undefined;
    } catch {
      return undefined;
    }
  });
  if (parsed.some((url) => url === undefined) || (!cluster && urls.length > 1)) {
    throw new ConfigError(
      cluster
        ? `${setting} must list the cluster's nodes as redis:// URLs, comma-separated: redis://10.0.0.1:6379,redis://10.0.0.2:6379`
        : `${setting} must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0, or redis+sentinel://host:26379/mymaster/0 (several URLs only with SMS_MCP_REDIS_CLUSTER=1)`,
    );
  }
  const first = parsed[0] as URL;
  if (!cluster) return { kind: "single", url: value };
  return {
    kind: "cluster",
    nodes: (parsed as URL[]).map((url) => ({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || 6379),
    })),
    ...credentials(
      first.username || first.password ? `${first.username}:${first.password}` : undefined,
      setting,
    ),
    tls: first.protocol === "rediss:",
  };
}

/** Where a target is, for a log line: hosts and names, never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  switch (target.kind) {
    case "single":
      return new URL(target.url).host;
    case "sentinel":
      return `${target.name} via sentinels ${target.sentinels.map((n) => `${n.host}:${n.port}`).join(",")}`;
    case "cluster":
      return `cluster ${target.nodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
  }
}
