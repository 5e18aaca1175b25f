// The send ledger end to end: real servers over stdio, the simulator as the provider, and the
// number of requests it received as the measure of how many texts went out.
import {
  chmod,
  mkdtemp,
  readdir,
  readFile,
  rm,
  truncate,
  unlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { PROVIDER_NAMES } from "../../src/sms/providerNames.js";
import { parseLedgerLine } from "../../src/state/ledgerLines.js";
import { runCli } from "../helpers/cli.js";
import { startLedgerProcess } from "../helpers/ledgerProcess.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { type StdioServer, startStdioServer, texts } from "../helpers/stdioServer.js";

const UNKNOWN_OUTCOMES = [
  ["accepted, but answered after the timeout", "+15005550008"],
  ["a 500", "+15005550005"],
  ["a connection reset after the provider took it", "+15005550009"],
  ["a 2xx whose body cannot be read", "+15005550010"],
] as const;

let sim: Simulator;
let dir: string;
let stateDir: string;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());
beforeEach(async () => {
  sim.clear();
  dir = await mkdtemp(join(tmpdir(), "sms-mcp-ledger-"));
  stateDir = join(dir, "state");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sends = () => sim.requests().filter((r) => r.method === "POST");
const auditLines = async () =>
  (await readFile(join(dir, "audit.log"), "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe.each(PROVIDER_NAMES)("identical retries after an unknown outcome, %s", (provider) => {
  let server: StdioServer;
  beforeAll(async () => {
    server = await startStdioServer({
      ...providerEnv(sim, provider),
      SMS_MCP_TIMEOUT_MS: "1000",
      SMS_MCP_STATE_DIR: await mkdtemp(join(tmpdir(), "sms-mcp-ledger-unknown-")),
    });
  });
  afterAll(() => server?.close());

  it.each(UNKNOWN_OUTCOMES)("%s: one request, then never another", async (_name, to) => {
    const message = `Your code is 5150 (${provider})`;
    const first = await server.call({ to_: to, message });
    expect(texts(first)[0]).toBe("SMS couldn't be sent");
    expect(first.structuredContent?.error).toMatchObject({ retryable: false });
    // Twilio lists recent messages: a text it took is found and the retry answers as a
    // duplicate of it; elsewhere (or when it has no record yet) the retry is unconfirmed.
    const confirmable = provider === "twilio" && to !== "+15005550005";
    for (let retry = 0; retry < 2; retry++) {
      const again = await server.call({ to_: to, message });
      const [answer, reason] = texts(again);
      if (confirmable) {
        expect(answer).toBe("SMS sent.");
        expect(again.structuredContent).toMatchObject({
          status: "duplicate",
          duplicateOf: expect.stringMatching(/^SM[0-9a-f]{32}$/),
        });
        // Looked up once: the ledger then holds it as sent.
        const confirmation = expect.stringMatching(/Twilio confirms that the identical text/);
        if (retry === 0) expect(again.structuredContent?.notes).toContainEqual(confirmation);
        else expect(again.structuredContent?.notes).not.toContainEqual(confirmation);
      } else {
        expect(answer).toBe("SMS couldn't be sent");
        expect(reason).toMatch(/may already have arrived.*ask the person/);
        expect(again.structuredContent).toMatchObject({
          status: "failed",
          error: { category: "unconfirmed", retryable: false },
        });
      }
    }
    expect(sends().filter((r) => JSON.stringify(r.body).includes(to.slice(1)))).toHaveLength(1);
  });
});

describe("state that survives restarts and is shared by processes", () => {
  const env = () => ({
    ...providerEnv(sim, "twilio"),
    SMS_MCP_STATE_DIR: stateDir,
    SMS_MCP_AUDIT_LOG: join(dir, "audit.log"),
    SMS_MCP_TIMEOUT_MS: "1000",
  });

  it("a restart between two identical calls: the second is a duplicate, not a second text", async () => {
    const before = await startStdioServer(env());
    const sent = await before.call({ to_: "+15551234567", message: "See you at 3pm" });
    await before.close();
    const after = await startStdioServer(env());
    const again = await after.call({ to_: "+15551234567", message: "See you at 3pm" });
    await after.close();
    expect(texts(again)[0]).toBe("SMS sent.");
    expect(again.structuredContent).toMatchObject({
      status: "duplicate",
      duplicateOf: sent.structuredContent?.messageId,
    });
    expect(sends()).toHaveLength(1);
  });

  it("a per-connection cap holds across a restart", async () => {
    const capped = { ...env(), SMS_MCP_RATE_PER_CONNECTION: "3/24h" };
    const statuses: unknown[] = [];
    for (const round of [1, 2]) {
      const server = await startStdioServer(capped);
      for (let i = 0; i < 3; i++) {
        const result = await server.call({ to_: `+1555123456${i}`, message: `round ${round}` });
        statuses.push(result.structuredContent?.status);
      }
      await server.close();
    }
    expect(sends()).toHaveLength(3);
    expect(statuses).toEqual(["sent", "sent", "sent", "failed", "failed", "failed"]);
  });

  it("SIGKILL with sends in flight: recorded as pending, and identical retries after a restart are not sent", async () => {
    const doomed = await startStdioServer(env());
    const pid = (doomed.client.transport as StdioClientTransport).pid as number;
    const texts_ = ["first", "second"].map((word) => `Your ${word} code is 7` as const);
    const inFlight = texts_.map((message) =>
      doomed.call({ to_: "+15005550008", message }).catch(() => undefined),
    );
    await sim.waitForRequests(2);
    process.kill(pid, "SIGKILL");
    await Promise.all(inFlight);
    await doomed.close().catch(() => undefined);

    const pending = (await auditLines()).filter((r) => r.outcome === "pending");
    expect(pending).toHaveLength(2);

    // The dead process's pending attempts read as unknown; Twilio's message list settles them.
    const restarted = await startStdioServer(env());
    for (const message of texts_) {
      const retry = await restarted.call({ to_: "+15005550008", message });
      expect(texts(retry)[0]).toBe("SMS sent.");
      expect(retry.structuredContent).toMatchObject({ status: "duplicate" });
    }
    await restarted.close();
    expect(sends()).toHaveLength(2);
    // Every request the simulator received has a ledger record.
    const ledger = await readFile(
      join(
        stateDir,
        "ledger",
        (await readdir(join(stateDir, "ledger"))).find((f) => f.endsWith(".jsonl")) ?? "",
      ),
      "utf8",
    );
    expect(
      ledger.split("\n").filter((line) => parseLedgerLine(line)?.kind === "claim"),
    ).toHaveLength(2);

    const log = await runCli(["log", "--since", "1h"], {
      SMS_MCP_AUDIT_LOG: join(dir, "audit.log"),
    });
    expect(log.stdout).toMatch(/unknown\*/);
    expect(log.stdout).toMatch(/may or may not have been sent/);
  });

  it("SIGKILL mid-send where the provider cannot be asked (Telnyx): the retry is unconfirmed", async () => {
    const telnyxEnv = { ...env(), ...providerEnv(sim, "telnyx") };
    const doomed = await startStdioServer(telnyxEnv);
    const pid = (doomed.client.transport as StdioClientTransport).pid as number;
    const inFlight = doomed.call({ to_: "+15005550008", message: "Code 9" }).catch(() => undefined);
    await sim.waitForRequests(1);
    process.kill(pid, "SIGKILL");
    await inFlight;
    await doomed.close().catch(() => undefined);
    const restarted = await startStdioServer(telnyxEnv);
    const retry = await restarted.call({ to_: "+15005550008", message: "Code 9" });
    await restarted.close();
    expect(retry.structuredContent).toMatchObject({ error: { category: "unconfirmed" } });
    expect(sends()).toHaveLength(1);
  });

  it("two processes that both saw the text unsent claim it at once: exactly one wins, every time", async () => {
    // A barrier: both processes open the ledger (the text is not in it), and only then are
    // both told to claim, so each claims from a view in which the text was never sent. The
    // file's order decides, the same way for both.
    const [a, b] = [startLedgerProcess(), startLedgerProcess()];
    try {
      for (let round = 0; round < 20; round++) {
        const path = join(dir, `race-${round}.jsonl`);
        expect(await Promise.all([a.ask(`open ${path}`), b.ask(`open ${path}`)])).toEqual([
          "ready",
          "ready",
        ]);
        a.tell(`claim a${round}`);
        b.tell(`claim b${round}`);
        const kinds = await Promise.all([a.answer(), b.answer()]);
        expect(kinds.sort(), `round ${round}`).toEqual(["claimed", "duplicate"]);
      }
    } finally {
      a.stop();
      b.stop();
    }
  });

  it("two servers, the same text ten times at once: one text", async () => {
    const [a, b] = await Promise.all([startStdioServer(env()), startStdioServer(env())]);
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).call({ to_: "+15551234567", message: "Your table is ready" }),
        ),
      );
      expect(results.map((r) => texts(r)[0])).toEqual(Array(10).fill("SMS sent."));
      const statuses = results.map((r) => r.structuredContent?.status);
      expect(statuses.filter((s) => s === "sent")).toHaveLength(1);
      expect(statuses.filter((s) => s === "duplicate")).toHaveLength(9);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(sends()).toHaveLength(1);
  });

  it("a corrupted ledger is skipped with a log line, and sending goes on", async () => {
    const first = await startStdioServer(env());
    await first.call({ to_: "+15551234567", message: "before the damage" });
    await first.close();
    const ledgerDir = join(stateDir, "ledger");
    const [file] = await readdir(ledgerDir);
    await writeFile(
      join(ledgerDir, file ?? ""),
      `${await readFile(join(ledgerDir, file ?? ""), "utf8")}\u0000garbage{"c":\n`,
    );
    const second = await startStdioServer(env());
    const again = await second.call({ to_: "+15551234567", message: "before the damage" });
    const fresh = await second.call({ to_: "+15551234567", message: "after the damage" });
    await second.close();
    expect(again.structuredContent?.status).toBe("duplicate");
    expect(fresh.structuredContent?.status).toBe("sent");
    expect(second.stderr()).toContain("skipped unreadable lines in the send ledger");
    expect(sends()).toHaveLength(2);
  });

  it("a ledger deleted under a running server: it follows the new file and carries its texts over", async () => {
    const running = await startStdioServer(env());
    const newcomers: StdioServer[] = [];
    try {
      const booked = { to_: "+15551234567", message: "Booked: Tuesday 3pm" };
      expect((await running.call(booked)).structuredContent?.status).toBe("sent");
      const ledgerDir = join(stateDir, "ledger");
      for (const file of await readdir(ledgerDir)) {
        if (file.endsWith(".jsonl")) await unlink(join(ledgerDir, file));
      }
      // A process started after the deletion sends a text into a new file; the running server,
      // asked for the same text, reads that file instead of sending it again.
      const paid = { to_: "+15557654321", message: "Paid, thank you" };
      const newcomer = await startStdioServer(env());
      newcomers.push(newcomer);
      expect((await newcomer.call(paid)).structuredContent?.status).toBe("sent");
      expect((await running.call(paid)).structuredContent?.status).toBe("duplicate");
      expect(running.stderr()).toContain(
        "the send ledger was deleted, replaced or truncated while serving",
      );
      // What the running server sent before the deletion went into the new file with it.
      const later = await startStdioServer(env());
      newcomers.push(later);
      expect((await later.call(booked)).structuredContent?.status).toBe("duplicate");
    } finally {
      await Promise.all([running.close(), ...newcomers.map((server) => server.close())]);
    }
    expect(sends()).toHaveLength(2);
    const outcomes = (await auditLines()).map((line) => line.outcome);
    expect(outcomes.filter((outcome) => outcome === "sent")).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome === "duplicate")).toHaveLength(2);
  });

  it("a ledger truncated under a running server: every next send goes through, the held text stays held, and the log says so", async () => {
    const server = await startStdioServer(env());
    try {
      const booked = { to_: "+15551234567", message: "Booked: Tuesday 3pm" };
      expect((await server.call(booked)).structuredContent?.status).toBe("sent");
      const ledgerDir = join(stateDir, "ledger");
      for (const file of await readdir(ledgerDir)) {
        if (file.endsWith(".jsonl")) await truncate(join(ledgerDir, file), 0);
      }
      const statuses: unknown[] = [];
      for (let i = 0; i < 40; i++) {
        const result = await server.call({
          to_: `+155512345${String(i).padStart(2, "0")}`,
          message: `Order ${i} shipped`,
        });
        statuses.push(result.structuredContent?.status);
      }
      expect(statuses).toEqual(Array(40).fill("sent"));
      expect((await server.call(booked)).structuredContent?.status).toBe("duplicate");
      expect(server.stderr()).toContain(
        "the send ledger was deleted, replaced or truncated while serving",
      );
    } finally {
      await server.close();
    }
    expect(sends()).toHaveLength(41);
  });

  it("an unwritable state directory stops the start with a clear error", async () => {
    const locked = join(dir, "locked");
    await writeFile(locked, "");
    await chmod(locked, 0o400);
    const run = await runCli(["serve"], { ...env(), SMS_MCP_STATE_DIR: join(locked, "state") });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot use the state directory .*SMS_MCP_STATE_DIR/);
    expect(sends()).toHaveLength(0);
  });
});
