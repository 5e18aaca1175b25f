// The wall clock stepping under a running server (NTP correcting a VM that slept, a hand-set
// clock): the server runs under libfaketime, whose offset the test moves mid-run, while the
// monotonic clock keeps real time. Windows inside the process must last as long as they say.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { type StdioServer, startStdioServer, texts } from "../helpers/stdioServer.js";

const LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
const available = existsSync(LIBFAKETIME);
const reason = "needs libfaketime (apt-get install faketime)";
if (!available && process.env.CI === "true") throw new Error(`clockJumps.test.ts ${reason}`);

describe.skipIf(!available)(
  `wall-clock steps under a running server${available ? "" : ` (skipped: ${reason})`}`,
  () => {
    let sim: Simulator;
    let dir: string;
    let offsetFile: string;
    const servers: StdioServer[] = [];
    beforeAll(async () => {
      sim = await startSimulator();
    });
    afterAll(() => sim?.close());
    beforeEach(() => {
      sim.clear();
      dir = mkdtempSync(join(tmpdir(), "sms-mcp-clock-"));
      offsetFile = join(dir, "offset");
      setClock("+0");
    });
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => server.close()));
      rmSync(dir, { recursive: true, force: true });
    });

    /** Steps the wall clock of every server started by this test (e.g. "+11m", "-4h"). */
    const setClock = (offset: string) => writeFileSync(offsetFile, `${offset}\n`);
    const start = async (extra: Record<string, string> = {}) => {
      const server = await startStdioServer({
        ...providerEnv(sim, "twilio"),
        SMS_MCP_STATE_DIR: join(dir, "state"),
        SMS_MCP_AUDIT_LOG: join(dir, "audit.log"),
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME_TIMESTAMP_FILE: offsetFile,
        FAKETIME_NO_CACHE: "1",
        FAKETIME_DONT_FAKE_MONOTONIC: "1",
        ...extra,
      });
      servers.push(server);
      return server;
    };
    const sends = () => sim.requests().filter((r) => r.method === "POST");

    it("+11 minutes: the identical text one second later is still a duplicate (10-minute window)", async () => {
      const server = await start();
      const text = { to_: "+15551234567", message: "Your table is ready" };
      expect((await server.call(text)).structuredContent?.status).toBe("sent");
      setClock("+11m");
      const again = await server.call(text);
      expect(texts(again)[0]).toBe("SMS sent.");
      expect(again.structuredContent?.status).toBe("duplicate");
      expect(sends()).toHaveLength(1);
    });

    it("3/1h across a +61-minute step: the fourth text in two seconds is refused", async () => {
      const server = await start({ SMS_MCP_RATE_PER_CONNECTION: "3/1h" });
      const send = (n: number) => server.call({ to_: `+1555123450${n}`, message: `text ${n}` });
      for (const n of [1, 2, 3]) expect((await send(n)).structuredContent?.status).toBe("sent");
      setClock("+61m");
      const fourth = await send(4);
      expect(fourth.structuredContent?.error).toMatchObject({ category: "rate_limited" });
      expect(sends()).toHaveLength(3);
    });

    it("a backward step of 4 hours: a full hourly window says an hour at most, in this process and in one started after it", async () => {
      const server = await start({ SMS_MCP_RATE_PER_CONNECTION: "3/1h" });
      const send = (target: StdioServer, n: number) =>
        target.call({ to_: `+1555123450${n}`, message: `text ${n}` });
      for (const n of [1, 2, 3]) await send(server, n);
      setClock("-4h");
      const later = await start({ SMS_MCP_RATE_PER_CONNECTION: "3/1h" });
      for (const [target, n] of [
        [server, 4],
        [later, 5],
      ] as const) {
        const refused = await send(target, n);
        const error = refused.structuredContent?.error as {
          category: string;
          reason: string;
          retryAfterSeconds: number;
        };
        expect(error.category).toBe("rate_limited");
        expect(error.retryAfterSeconds).toBeLessThanOrEqual(3600);
        expect(error.reason).toMatch(/again in about \d+ minutes/);
      }
      expect(sends()).toHaveLength(3);
    });
  },
);
