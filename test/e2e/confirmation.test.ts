// DESIGN §16: a person approves each text through the client's own form, in every era; the
// read-back where the client cannot ask; `human` where only a person may approve.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { startHttpCli } from "../helpers/httpServer.js";
import {
  type AskedForm,
  type ClientKind,
  connectClient,
  type FormAnswerer,
  type TransportKind,
} from "../helpers/mcpClients.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const TO = "+15551234567";
const NEW_YORK = "+12125550123";
const dir = mkdtempSync(join(tmpdir(), "sms-mcp-confirm-"));

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

/** Every audit line written so far to `path`. */
function auditLines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function settings(mode: string, extra: Record<string, string> = {}) {
  const audit = join(dir, `audit-${Math.random().toString(36).slice(2)}.jsonl`);
  return {
    audit,
    env: {
      ...providerEnv(sim, "telnyx"),
      SMS_MCP_CONFIRM: mode,
      SMS_MCP_AUDIT_LOG: audit,
      ...extra,
    },
  };
}

const accept: FormAnswerer = async () => ({ action: "accept", content: { send: true } });

/** Runs `body` with a client of `kind` over `transport` against a server with `env`. */
async function withClient(
  kind: ClientKind,
  transport: TransportKind,
  env: Record<string, string>,
  answer: FormAnswerer | undefined,
  body: (client: Awaited<ReturnType<typeof connectClient>>) => Promise<void>,
): Promise<void> {
  sim.clear();
  const http = transport === "stdio" ? undefined : await startHttpCli(env);
  try {
    const client = await connectClient(
      kind,
      transport,
      { env, url: http?.url ?? "" },
      answer ? { answer } : {},
    );
    try {
      await body(client);
    } finally {
      await client.close();
    }
  } finally {
    await http?.stop();
  }
}

describe("the person answers the client's form", () => {
  const eras: Array<[ClientKind, TransportKind, "modern" | "legacy"]> = [
    ["v2 auto", "stdio", "modern"],
    ["v2 auto", "streamable-http", "modern"],
    ["v1", "stdio", "legacy"],
    ["v1", "streamable-http", "legacy"],
    ["v1", "sse", "legacy"],
    ["v2 legacy", "sse", "legacy"],
  ];

  it.each(eras)(
    "%s over %s (%s): yes sends, and says who approved",
    async (kind, transport, era) => {
      const { env, audit } = settings("ask");
      const forms: AskedForm[] = [];
      await withClient(
        kind,
        transport,
        env,
        async (form) => {
          forms.push(form);
          return accept(form);
        },
        async (client) => {
          expect(client.era).toBe(era);
          const result = await client.send({ to_: NEW_YORK, message: "Your table is ready." });
          expect(result.texts[0]).toBe("SMS sent.");
          expect(result.structured.confirmedBy).toBe("person");
          expect(sim.requests()).toHaveLength(1);
          expect(forms).toHaveLength(1);
          const message = forms[0]?.message ?? "";
          expect(message).toContain(`To: ${NEW_YORK} (United States)`);
          expect(message).toContain("Your table is ready.");
          expect(message).toContain("1 SMS, GSM-7");
          expect(forms[0]?.requestedSchema).toMatchObject({
            properties: { send: { type: "boolean", title: "Send this text?" } },
            required: ["send"],
          });
        },
      );
      expect(auditLines(audit).at(-1)).toMatchObject({ outcome: "sent" });
    },
  );

  it.each([
    ["declines", async () => ({ action: "decline" as const })],
    ["cancels", async () => ({ action: "cancel" as const })],
    ["leaves send unticked", async () => ({ action: "accept" as const, content: { send: false } })],
    [
      'answers send: "yes" (no clear yes)',
      async () => ({ action: "accept" as const, content: { send: "yes" } }),
    ],
  ])("the person %s: declined, nothing sent, no rate used, an audit line", async (_, answer) => {
    for (const [kind, transport] of [
      ["v2 auto", "stdio"],
      ["v1", "stdio"],
    ] as const) {
      const { env, audit } = settings("ask", { SMS_MCP_RATE_PER_RECIPIENT: "1/1h" });
      await withClient(kind, transport, env, answer, async (client) => {
        const result = await client.send({ to_: TO, message: "Your table is ready." });
        expect(result.texts[0]).toBe("SMS couldn't be sent");
        expect(result.structured.error).toMatchObject({
          category: "declined",
          retryable: false,
          reason: "the person declined to send this text; do not send it again unless they ask",
        });
        expect(sim.requests()).toHaveLength(0);
        expect(auditLines(audit).at(-1)).toMatchObject({
          outcome: "refused",
          errorCategory: "declined",
        });
      });
      // The declined attempt used no rate: with a limit of one, a yes still sends.
      await withClient(kind, transport, env, accept, async (client) => {
        const result = await client.send({ to_: TO, message: "Your table is ready." });
        expect(result.texts[0]).toBe("SMS sent.");
      });
    }
  });

  it("an answer after confirmTimeoutSeconds (2026-07-28, the client came back late): confirmation_timeout", async () => {
    const { env } = settings("ask", { SMS_MCP_CONFIRM_TIMEOUT_SECONDS: "1" });
    const late: FormAnswerer = async (form) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return accept(form);
    };
    await withClient("v2 auto", "streamable-http", env, late, async (client) => {
      const result = await client.send({ to_: TO, message: "Your table is ready." });
      expect(result.structured.error).toMatchObject({
        category: "confirmation_timeout",
        retryable: true,
      });
      expect(sim.requests()).toHaveLength(0);
    });
  });

  it.each([
    ["v1", "stdio"],
    ["v2 legacy", "streamable-http"],
  ] as const)(
    "%s over %s never answers (asked during the call): confirmation_timeout",
    async (kind, transport) => {
      const { env, audit } = settings("ask", { SMS_MCP_CONFIRM_TIMEOUT_SECONDS: "1" });
      await withClient(
        kind,
        transport,
        env,
        () => new Promise(() => undefined),
        async (client) => {
          const result = await client.send({ to_: TO, message: "Your table is ready." });
          expect(result.structured.error).toMatchObject({
            category: "confirmation_timeout",
            retryable: true,
          });
          expect(String((result.structured.error as { reason: string }).reason)).toMatch(
            /call send_sms again to show them the form again/,
          );
          expect(sim.requests()).toHaveLength(0);
        },
      );
      expect(auditLines(audit).at(-1)).toMatchObject({ errorCategory: "confirmation_timeout" });
    },
  );
});

describe("a client that cannot ask", () => {
  it.each([
    ["v2 auto", "stdio"],
    ["v1", "stdio"],
    ["v1", "streamable-http"],
  ] as const)(
    "%s over %s, ask: a read-back, then the identical call sends",
    async (kind, transport) => {
      const { env } = settings("ask");
      await withClient(kind, transport, env, undefined, async (client) => {
        const first = await client.send({ to_: TO, message: "Your code is 4821." });
        expect(first.texts[0]).toBe("SMS couldn't be sent");
        expect(first.structured.error).toMatchObject({
          category: "confirmation_required",
          retryable: true,
          reason:
            "read the number and the text back to the person; if they say yes, call send_sms again with exactly the same arguments within 5 minutes",
        });
        expect(sim.requests()).toHaveLength(0);
        // Another text is another read-back.
        const other = await client.send({ to_: TO, message: "Your code is 4822." });
        expect(other.structured.error).toMatchObject({ category: "confirmation_required" });
        const second = await client.send({ to_: TO, message: "Your code is 4821." });
        expect(second.texts[0]).toBe("SMS sent.");
        expect(second.structured.confirmedBy).toBe("read-back");
        expect(sim.requests()).toHaveLength(1);
      });
    },
  );

  it("human: refused, confirmation_unavailable, nothing sent", async () => {
    const { env, audit } = settings("human");
    await withClient("v2 auto", "stdio", env, undefined, async (client) => {
      const result = await client.send({ to_: TO, message: "Your code is 4821." });
      expect(result.structured.error).toMatchObject({
        category: "confirmation_unavailable",
        retryable: false,
        reason:
          "this connection sends only what a person approves, and this client cannot ask them",
      });
      expect(sim.requests()).toHaveLength(0);
    });
    expect(auditLines(audit).at(-1)).toMatchObject({
      outcome: "refused",
      errorCategory: "confirmation_unavailable",
    });
    // sms-mcp log shows it, as every refusal.
    const log = await runCli(["log"], { ...env, SMS_MCP_AUDIT_LOG: audit });
    expect(log.stdout).toMatch(/refused\s+confirmation_unavailable/);
  });

  it("serve --confirm human overrides a connection that does not ask", async () => {
    const { env } = settings("off");
    sim.clear();
    const http = await startHttpCli(env, ["--confirm", "human"]);
    try {
      const client = await connectClient("v1", "streamable-http", { env, url: http.url });
      try {
        const result = await client.send({ to_: TO, message: "Your code is 4821." });
        expect(result.structured.error).toMatchObject({ category: "confirmation_unavailable" });
        expect(sim.requests()).toHaveLength(0);
      } finally {
        await client.close();
      }
    } finally {
      await http.stop();
    }
  });

  it("legacy --stateless HTTP cannot ask even a client with the capability: a read-back", async () => {
    const { env } = settings("ask");
    sim.clear();
    const http = await startHttpCli(env, ["--stateless"]);
    try {
      const client = await connectClient(
        "v1",
        "streamable-http",
        { env, url: http.url },
        {
          answer: accept,
        },
      );
      try {
        const first = await client.send({ to_: TO, message: "Your code is 4821." });
        expect(first.structured.error).toMatchObject({ category: "confirmation_required" });
        expect((await client.send({ to_: TO, message: "Your code is 4821." })).texts[0]).toBe(
          "SMS sent.",
        );
      } finally {
        await client.close();
      }
    } finally {
      await http.stop();
    }
  });
});

describe("order: nothing is asked that would not be sent", () => {
  /** A person who says yes to every form, and how many forms they were shown. */
  function countingYes() {
    const seen = { asked: 0 };
    const answer: FormAnswerer = async (form) => {
      seen.asked += 1;
      return accept(form);
    };
    return { seen, answer };
  }

  it("a text already sent answers as a duplicate without asking; a refused one is not asked", async () => {
    const { env } = settings("ask", { SMS_MCP_DENY_LIST: "+15557654321" });
    const person = countingYes();
    await withClient("v2 auto", "stdio", env, person.answer, async (client) => {
      expect((await client.send({ to_: TO, message: "Table ready." })).texts[0]).toBe("SMS sent.");
      const again = await client.send({ to_: TO, message: "Table ready." });
      expect(again.structured.status).toBe("duplicate");
      const denied = await client.send({ to_: "+15557654321", message: "Table ready." });
      expect(denied.structured.error).toMatchObject({ category: "not_allowed" });
      expect(person.seen.asked).toBe(1);
      expect(sim.requests()).toHaveLength(1);
    });
  });

  it.each([
    ["v2 auto", "stdio"],
    ["v1", "stdio"],
  ] as const)(
    "%s over %s: a text the rate limits would refuse is refused without asking",
    async (kind, transport) => {
      const { env, audit } = settings("ask", { SMS_MCP_RATE_PER_RECIPIENT: "1/1h" });
      const person = countingYes();
      await withClient(kind, transport, env, person.answer, async (client) => {
        expect((await client.send({ to_: TO, message: "Table ready." })).texts[0]).toBe(
          "SMS sent.",
        );
        const second = await client.send({ to_: TO, message: "Your table is waiting." });
        expect(second.structured.error).toMatchObject({
          category: "rate_limited",
          retryable: true,
        });
        expect(person.seen.asked).toBe(1);
        expect(sim.requests()).toHaveLength(1);
      });
      expect(auditLines(audit).at(-1)).toMatchObject({ errorCategory: "rate_limited" });
    },
  );
});
