// DESIGN §18, Redis that survives a node: the ledger through Redis Sentinel across a forced
// failover, and through a three-master Redis Cluster shared by two replicas. Real servers
// on loopback, real sms-mcp processes, the simulator counting what reaches the provider.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { startHttpCli } from "../helpers/httpServer.js";
import { sendOverHttp } from "../helpers/mcpHttp.js";
import { redisStatus } from "../helpers/redisServer.js";
import { startCluster, startSentinelSetup } from "../helpers/redisTopologies.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const TO = "+15551234567";
const status = redisStatus();

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

const send = (url: string, message: string) => sendOverHttp(url, TO, message);

const statusOf = (result: CallToolResult) =>
  (result.structuredContent as { status?: string; error?: { category: string } } | undefined)
    ?.status;
const categoryOf = (result: CallToolResult) =>
  (result.structuredContent as { error?: { category: string } } | undefined)?.error?.category;

describe.skipIf(!status.available)(
  `Redis Sentinel and Cluster${status.available ? "" : ` (skipped: ${status.reason})`}`,
  () => {
    it("Sentinel: a text recorded before a forced failover is a duplicate after it", async () => {
      const setup = await startSentinelSetup();
      const server = await startHttpCli({
        ...providerEnv(sim, "telnyx"),
        SMS_MCP_REDIS_URL: setup.url,
      });
      try {
        sim.clear();
        const first = await send(server.url, "Your table is ready.");
        expect(statusOf(first), JSON.stringify(first.structuredContent)).toBe("sent");
        await setup.failover();
        // The client finds the new master through the sentinel; the claim went to the replica
        // before the provider was called (WAIT), so the promoted replica holds it.
        await expect
          .poll(async () => statusOf(await send(server.url, "Your table is ready.")), {
            timeout: 15_000,
            interval: 500,
          })
          .toBe("duplicate");
        expect(sim.requests()).toHaveLength(1);
        // A new text goes to the new master (while the switch settles, a claim that cannot be
        // recorded is refused as retryable, and nothing is sent).
        await expect
          .poll(async () => statusOf(await send(server.url, "Another text.")), {
            timeout: 15_000,
            interval: 500,
          })
          .toBe("sent");
        expect(sim.requests()).toHaveLength(2);
      } finally {
        await server.stop();
        await setup.stop();
      }
    }, 60_000);

    it("Cluster: two replicas share duplicates and a rate cap, each script in one slot", async () => {
      const cluster = await startCluster();
      const env = {
        ...providerEnv(sim, "telnyx"),
        SMS_MCP_REDIS_URL: cluster.url,
        SMS_MCP_REDIS_CLUSTER: "1",
        SMS_MCP_RATE_PER_RECIPIENT: "2/1h",
      };
      const [a, b] = await Promise.all([
        startHttpCli(env, ["--stateless"]),
        startHttpCli(env, ["--stateless"]),
      ]);
      try {
        sim.clear();
        expect(statusOf(await send(a.url, "Your table is ready."))).toBe("sent");
        // The identical text on the other replica: a duplicate, not a second text.
        expect(statusOf(await send(b.url, "Your table is ready."))).toBe("duplicate");
        expect(statusOf(await send(b.url, "Your code is 4821."))).toBe("sent");
        // Two texts to this person this hour, across both replicas: the third is refused.
        const third = await send(a.url, "One more.");
        expect(categoryOf(third)).toBe("rate_limited");
        expect(sim.requests()).toHaveLength(2);

        // The connection's slot moves to another master, keys and all: both replicas follow
        // the redirection, and what was recorded before still counts.
        const slot = await cluster.slotOfKey("sms-mcp:*dup:*");
        const { master } = await cluster.shardOf(slot);
        const target = cluster.nodes.find((node) => node.id !== master.id);
        if (!target) throw new Error("a three-master cluster has another master");
        await cluster.moveSlot(slot, target);
        expect(statusOf(await send(a.url, "Your table is ready."))).toBe("duplicate");
        expect(categoryOf(await send(b.url, "One more."))).toBe("rate_limited");
        expect(sim.requests()).toHaveLength(2);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
        await cluster.stop();
      }
    }, 60_000);

    it("Cluster with replicas: a claim waits for its slot's replica and survives that slot's failover", async () => {
      const cluster = await startCluster({ replicasPerMaster: 1 });
      const server = await startHttpCli({
        ...providerEnv(sim, "telnyx"),
        SMS_MCP_REDIS_URL: cluster.url,
        SMS_MCP_REDIS_CLUSTER: "1",
      });
      try {
        sim.clear();
        expect(statusOf(await send(server.url, "Your table is ready."))).toBe("sent");
        const slot = await cluster.slotOfKey("sms-mcp:*dup:*");
        const { replicas } = await cluster.shardOf(slot);
        const [replica] = replicas;
        if (!replica) throw new Error("the slot's master has a replica");

        // The slot's replica cannot take the claim: the send is refused before the provider.
        replica.freeze(true);
        try {
          const refused = await send(server.url, "Your code is 4821.");
          expect(refused.structuredContent?.error).toMatchObject({
            category: "unavailable",
            retryable: true,
          });
          expect(sim.requests()).toHaveLength(1);
        } finally {
          replica.freeze(false);
        }
        expect(statusOf(await send(server.url, "Your code is 4821."))).toBe("sent");

        // The replica takes over its master's slots; the texts recorded before are duplicates.
        await cluster.failover(replica);
        await expect
          .poll(async () => statusOf(await send(server.url, "Your table is ready.")), {
            timeout: 15_000,
            interval: 500,
          })
          .toBe("duplicate");
        expect(statusOf(await send(server.url, "Your code is 4821."))).toBe("duplicate");
        expect(sim.requests()).toHaveLength(2);
      } finally {
        await server.stop();
        await cluster.stop();
      }
    }, 90_000);
  },
);
