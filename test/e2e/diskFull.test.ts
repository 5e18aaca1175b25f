// A full disk under the send ledger: a ledger line the file system takes only part of (a short
// write, no error) is no record, so its send is refused before the provider; after a restart
// with room again, no text goes out twice. The ledger lives on a small tmpfs filled to the brim.
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { type StdioServer, startStdioServer, texts } from "../helpers/stdioServer.js";

const mountPoint = mkdtempSync(join(tmpdir(), "sms-mcp-tmpfs-"));
const mounted =
  spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint]).status === 0;
const reason = "needs to mount a small tmpfs (root)";
if (!mounted && process.env.CI === "true") throw new Error(`diskFull.test.ts ${reason}`);

/** Takes every free byte of the file system at `dir`. */
function fillUp(dir: string): string {
  const filler = join(dir, "filler");
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(4096, 120);
  try {
    for (;;) if (writeSync(fd, chunk) < chunk.length) break;
  } catch {
    // ENOSPC: full.
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe.skipIf(!mounted)(
  `a full disk under the ledger${mounted ? "" : ` (skipped: ${reason})`}`,
  () => {
    let sim: Simulator;
    const stateDir = join(mountPoint, "state");
    const env = () => ({
      ...providerEnv(sim, "twilio"),
      SMS_MCP_STATE_DIR: stateDir,
      SMS_MCP_RATE_PER_RECIPIENT: "1000/1h",
    });
    beforeAll(async () => {
      sim = await startSimulator();
    });
    afterAll(async () => {
      await sim?.close();
      spawnSync("umount", [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it("a ledger line cut short refuses its send before the provider; after a restart nothing is sent twice", async () => {
      const message = (n: number) => `Your code is ${String(100000 + n)}`;
      const to = "+15551234567";
      let server: StdioServer = await startStdioServer(env());
      // A few sends first, so the ledger ends inside a page the disk has already given it.
      for (let n = 0; n < 3; n++) {
        expect(texts(await server.call({ to_: to, message: message(n) }))[0]).toBe("SMS sent.");
      }
      const filler = fillUp(mountPoint);

      let refused: number | undefined;
      let sent = 3;
      for (let n = 3; n < 200 && refused === undefined; n++) {
        const result = await server.call({ to_: to, message: message(n) });
        if (result.isError) {
          refused = n;
          expect(texts(result)[0]).toBe("SMS couldn't be sent");
          expect(result.structuredContent?.error).toMatchObject({ category: "unavailable" });
        } else sent = n + 1;
      }
      expect(refused).toBeDefined();
      const bodies = () => sim.requests().map((r) => (r.body as Record<string, string>).Body);
      expect(bodies()).not.toContain(message(refused as number));
      expect(server.stderr()).toMatch(/took \d+ of \d+ bytes \(is the disk full\?\)/);
      await server.close();

      // Room again, a new process: every text of the first round once more.
      rmSync(filler);
      server = await startStdioServer(env());
      for (let n = 0; n <= (refused as number); n++) {
        await server.call({ to_: to, message: message(n) });
      }
      await server.close();
      for (let n = 0; n <= (refused as number); n++) {
        expect(
          bodies().filter((b) => b === message(n)),
          `text ${n}`,
        ).toHaveLength(1);
      }
      expect(sent).toBeGreaterThan(3);
    });
  },
);
