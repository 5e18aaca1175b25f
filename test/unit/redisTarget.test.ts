import { describe, expect, it } from "vitest";
import { describeRedisTarget, redisTargetOf } from "../../src/config/redisTarget.js";

describe("the ledger's Redis as written", () => {
  it("one server, a Sentinel-watched master, a cluster's nodes", () => {
    expect(redisTargetOf("redis://127.0.0.1:6379/0", false, "X")).toEqual({
      kind: "single",
      url: "redis://127.0.0.1:6379/0",
    });
    expect(
      redisTargetOf("redis+sentinel://app:s%40cret@10.0.0.1:26380,10.0.0.2/mymaster/2", false, "X"),
    ).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "10.0.0.1", port: 26380 },
        { host: "10.0.0.2", port: 26379 },
      ],
      name: "mymaster",
      db: 2,
      username: "app",
      password: "s@cret",
      tls: false,
    });
    expect(redisTargetOf("redis+sentinels://[::1]:26379/m", false, "X")).toMatchObject({
      sentinels: [{ host: "::1", port: 26379 }],
      db: 0,
      tls: true,
    });
    expect(redisTargetOf("rediss://:pw@node-a:7000, rediss://node-b:7001", true, "X")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "node-a", port: 7000 },
        { host: "node-b", port: 7001 },
      ],
      username: undefined,
      password: "pw",
      tls: true,
    });
  });

  it.each([
    ["http://127.0.0.1:6379", false, /must be a redis:\/\/ or rediss:\/\/ URL/],
    ["redis://a:1,redis://b:2", false, /several URLs only with SMS_MCP_REDIS_CLUSTER=1/],
    ["redis://a:1,http://b:2", true, /must list the cluster's nodes as redis:\/\/ URLs/],
    ["redis+sentinel://a:1,b:x/m/0", false, /must name its sentinels as host:port/],
    ["redis+sentinel://a:1/m/0", true, /cannot also be a cluster/],
  ])("%s (cluster %s) is refused, and the message never repeats it", (text, cluster, says) => {
    expect(() => redisTargetOf(text, cluster, "SMS_MCP_REDIS_URL")).toThrow(says);
    try {
      redisTargetOf(`${text.replace("//", "//user:hunter2@")}`, cluster, "SMS_MCP_REDIS_URL");
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
    }
  });

  it("is described for a log line without its password", () => {
    const target = redisTargetOf("redis+sentinel://u:hunter2@h:26379/mymaster/0", false, "X");
    expect(describeRedisTarget(target)).toBe("mymaster via sentinels h:26379");
    expect(describeRedisTarget(redisTargetOf("redis://u:hunter2@h:6379", false, "X"))).toBe(
      "h:6379",
    );
  });
});
