// DESIGN §16, sealed and single use: a 2026-07-28 form's requestState, as raw requests send
// it back right and wrong, and the second round on another replica (shared state directory,
// and separately Redis).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { modernMeta, postModernCall } from "../helpers/modernCall.js";
import { type RedisServer, redisStatus, startRedis } from "../helpers/redisServer.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const TO = "+15551234567";
const ASKING_CLIENT = modernMeta({ elicitation: { form: {} } });
const YES = { action: "accept", content: { send: true } };

interface ToolAnswer {
  resultType?: string;
  requestState?: string;
  inputRequests?: Record<string, { method: string; params: { message: string } }>;
  isError?: boolean;
  content?: Array<{ type: string; text: string }>;
  structuredContent?: {
    status?: string;
    confirmedBy?: string;
    error?: { category: string; reason: string };
  };
}

/** One 2026-07-28 tools/call of send_sms, as a client sends it (a retry carries the extras). */
async function call(
  url: string,
  message: string,
  retry: { requestState?: string; inputResponses?: Record<string, unknown> } = {},
  meta: Record<string, unknown> = ASKING_CLIENT,
): Promise<ToolAnswer> {
  const response = await postModernCall(url, { to_: TO, message }, { meta, params: retry });
  const body = (await response.json()) as { result?: ToolAnswer; error?: unknown };
  if (!body.result) throw new Error(`no result: ${JSON.stringify(body)}`);
  return body.result;
}

/** The first round: the form and its sealed state. */
async function ask(url: string, message: string): Promise<string> {
  const first = await call(url, message);
  expect(first.resultType).toBe("input_required");
  expect(first.inputRequests?.confirm?.method).toBe("elicitation/create");
  expect(first.inputRequests?.confirm?.params.message).toContain(message);
  return first.requestState as string;
}

function expectInvalid(answer: ToolAnswer, why: RegExp): void {
  expect(answer.content?.[0]?.text).toBe("SMS couldn't be sent");
  expect(answer.structuredContent?.error?.category).toBe("confirmation_invalid");
  expect(answer.structuredContent?.error?.reason).toMatch(why);
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "sms-mcp-sealed-"));
  return {
    ...providerEnv(sim, "telnyx"),
    SMS_MCP_CONFIRM: "ask",
    SMS_MCP_STATE_DIR: join(dir, "state"),
    SMS_MCP_AUDIT_LOG: join(dir, "audit.jsonl"),
    ...extra,
  };
}

describe("a 2026-07-28 form's state, sent back right and wrong", () => {
  let server: HttpCli;
  let env: Record<string, string>;
  beforeAll(async () => {
    // No duplicate window: only the spent nonce can stop a replayed yes.
    env = serverEnv({ SMS_MCP_DUPLICATE_WINDOW_SECONDS: "0" });
    server = await startHttpCli(env);
  });
  afterAll(() => server?.stop());

  it("the yes sends once; the same yes replayed is refused, nothing more sent", async () => {
    sim.clear();
    const state = await ask(server.url, "Your table is ready.");
    expect(sim.requests()).toHaveLength(0);
    const yes = { requestState: state, inputResponses: { confirm: YES } };
    const sent = await call(server.url, "Your table is ready.", yes);
    expect(sent.content?.[0]?.text).toBe("SMS sent.");
    expect(sent.structuredContent?.confirmedBy).toBe("person");
    expectInvalid(await call(server.url, "Your table is ready.", yes), /already used/);
    expect(sim.requests()).toHaveLength(1);
    const audit = readFileSync(env.SMS_MCP_AUDIT_LOG as string, "utf8")
      .trim()
      .split("\n");
    expect(JSON.parse(audit.at(-1) as string)).toMatchObject({
      outcome: "refused",
      errorCategory: "confirmation_invalid",
    });
  });

  it("a forged state, another text's state, a yes without state: refused, nothing sent", async () => {
    sim.clear();
    const state = await ask(server.url, "Your code is 4821.");
    const forged = `${state.slice(0, -4)}${state.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    expectInvalid(
      await call(server.url, "Your code is 4821.", {
        requestState: forged,
        inputResponses: { confirm: YES },
      }),
      /not issued by this server/,
    );
    expectInvalid(
      await call(server.url, "Your code is 9999.", {
        requestState: state,
        inputResponses: { confirm: YES },
      }),
      /another text or recipient/,
    );
    expectInvalid(
      await call(server.url, "Your code is 4821.", { inputResponses: { confirm: YES } }),
      /without its state/,
    );
    expect(sim.requests()).toHaveLength(0);
  });

  it("a client that declared only URL elicitation is not sent a form: a read-back", async () => {
    sim.clear();
    const result = await call(
      server.url,
      "URL forms only",
      {},
      modernMeta({ elicitation: { url: {} } }),
    );
    expect(result.resultType).not.toBe("input_required");
    expect(result.structuredContent?.error?.category).toBe("confirmation_required");
    expect(sim.requests()).toHaveLength(0);
  });

  it("a declined form sends nothing", async () => {
    sim.clear();
    const state = await ask(server.url, "Your code is 1111.");
    const declined = await call(server.url, "Your code is 1111.", {
      requestState: state,
      inputResponses: { confirm: { action: "decline" } },
    });
    expect(declined.structuredContent?.error?.category).toBe("declined");
    expect(sim.requests()).toHaveLength(0);
  });
});

it("an expired state is refused", async () => {
  const server = await startHttpCli(serverEnv({ SMS_MCP_CONFIRM_WINDOW_SECONDS: "1" }));
  try {
    sim.clear();
    const state = await ask(server.url, "Your code is 4821.");
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expectInvalid(
      await call(server.url, "Your code is 4821.", {
        requestState: state,
        inputResponses: { confirm: YES },
      }),
      /expired/,
    );
    expect(sim.requests()).toHaveLength(0);
  } finally {
    await server.stop();
  }
});

/** Two `--stateless` replicas: the form from one, the answer to the other, then a replay. */
async function acrossReplicas(env: Record<string, string>, other = env): Promise<void> {
  const [a, b] = await Promise.all([
    startHttpCli(env, ["--stateless"]),
    startHttpCli(other, ["--stateless"]),
  ]);
  try {
    sim.clear();
    const state = await ask(a.url, "Your table is ready.");
    const yes = { requestState: state, inputResponses: { confirm: YES } };
    const sent = await call(b.url, "Your table is ready.", yes);
    expect(sent.content?.[0]?.text).toBe("SMS sent.");
    expectInvalid(await call(a.url, "Your table is ready.", yes), /already used/);
    expect(sim.requests()).toHaveLength(1);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

describe("SMS_MCP_CONFIRM_KEY", () => {
  it("replicas given the same key accept each other's forms", async () => {
    const key = { SMS_MCP_CONFIRM_KEY: "a".repeat(64) };
    const [one, two] = await Promise.all([
      startHttpCli(serverEnv(key), ["--stateless"]),
      startHttpCli(serverEnv(key), ["--stateless"]),
    ]);
    try {
      sim.clear();
      const state = await ask(one.url, "Your table is ready.");
      const sent = await call(two.url, "Your table is ready.", {
        requestState: state,
        inputResponses: { confirm: YES },
      });
      expect(sent.content?.[0]?.text).toBe("SMS sent.");
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it("a form from one connection is refused by another, even with the same key", async () => {
    const key = { SMS_MCP_CONFIRM_KEY: "b".repeat(64) };
    const [telnyx, twilio] = await Promise.all([
      startHttpCli(serverEnv(key)),
      startHttpCli({ ...serverEnv(key), ...providerEnv(sim, "twilio") }),
    ]);
    try {
      sim.clear();
      const state = await ask(telnyx.url, "Your table is ready.");
      expectInvalid(
        await call(twilio.url, "Your table is ready.", {
          requestState: state,
          inputResponses: { confirm: YES },
        }),
        /given on another connection/,
      );
      expect(sim.requests()).toHaveLength(0);
    } finally {
      await Promise.all([telnyx.stop(), twilio.stop()]);
    }
  });

  it("a key shorter than 32 bytes stops the start, naming the variable", async () => {
    const run = await runCli(["serve"], serverEnv({ SMS_MCP_CONFIRM_KEY: "c2hvcnQ=" }));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/SMS_MCP_CONFIRM_KEY must be at least 32 random bytes/);
  });
});

describe("the second round on another replica", () => {
  it("replicas sharing a state directory agree on the key and spend the yes once", async () => {
    await acrossReplicas(serverEnv({ SMS_MCP_DUPLICATE_WINDOW_SECONDS: "0" }));
  });

  const redis = redisStatus();
  describe.skipIf(!redis.available)(
    `replicas sharing Redis${redis.available ? "" : ` (skipped: ${redis.reason})`}`,
    () => {
      let server: RedisServer;
      beforeAll(async () => {
        server = await startRedis();
      });
      afterAll(() => server?.stop());

      it("agree on the key and spend the yes once, each with its own state directory", async () => {
        const shared = { SMS_MCP_REDIS_URL: server.url, SMS_MCP_DUPLICATE_WINDOW_SECONDS: "0" };
        const a = serverEnv(shared);
        const b = serverEnv(shared);
        expect(a.SMS_MCP_STATE_DIR).not.toBe(b.SMS_MCP_STATE_DIR);
        // Each replica its own state directory: only Redis can make them agree.
        await acrossReplicas(a, b);
      });
    },
  );
});
