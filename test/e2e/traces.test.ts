// DESIGN §18: with OTEL_EXPORTER_OTLP_ENDPOINT set, each tools/call is a span continuing the
// client's trace (2026-07-28 `_meta`, or the HTTP header), with a child span per step, sent
// over OTLP/HTTP to a receiver written here; no number, text or secret in any attribute.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { startHttpCli } from "../helpers/httpServer.js";
import { modernMeta, postModernCall } from "../helpers/modernCall.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const TO = "+15551234567";
const BODY = "Traced body 5518-QRS";

interface Export {
  contentType: string;
  body: Buffer;
}

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

/** An OTLP/HTTP receiver: keeps every export POSTed to /v1/traces. */
async function startReceiver(): Promise<{ url: string; exports: Export[]; close(): void }> {
  const exports: Export[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.url === "/v1/traces") {
        exports.push({
          contentType: req.headers["content-type"] ?? "",
          body: Buffer.concat(chunks),
        });
      }
      res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/json" });
      res.end(req.headers["content-type"]?.includes("json") ? "{}" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, exports, close: () => server.close() };
}

function jsonSpans(exports: Export[]): JsonSpan[] {
  return exports.flatMap((e) => {
    const payload = JSON.parse(e.body.toString("utf8")) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: JsonSpan[] }> }>;
    };
    return payload.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  });
}

let sim: Simulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  sim = await startSimulator();
  receiver = await startReceiver();
});
afterAll(() => {
  receiver?.close();
  return sim?.close();
});
beforeEach(() => {
  receiver.exports.length = 0;
  sim.clear();
});

const traceEnv = (protocol: string) => ({
  ...providerEnv(sim, "telnyx"),
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_SERVICE_NAME: "sms-mcp-under-test",
  // The batch's standard delay, shortened so that the test does not wait five seconds.
  OTEL_BSP_SCHEDULE_DELAY: "100",
});

/** A 2026-07-28 tools/call carrying the caller's trace in `_meta`. */
async function modernCall(url: string, traceparent: string): Promise<void> {
  const response = await postModernCall(
    url,
    { to_: TO, message: BODY },
    {
      meta: { ...modernMeta(), traceparent },
    },
  );
  expect(response.status).toBe(200);
}

describe("traces over OTLP/HTTP", () => {
  it("http/json: the call continues the client's trace from _meta, a child span per step", async () => {
    const server = await startHttpCli(traceEnv("http/json"));
    try {
      const traceId = randomBytes(16).toString("hex");
      const parentId = randomBytes(8).toString("hex");
      await modernCall(server.url, `00-${traceId}-${parentId}-01`);
      expect(sim.requests()).toHaveLength(1);
      await expect
        .poll(() => jsonSpans(receiver.exports).length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(6);
      const spans = jsonSpans(receiver.exports);
      const call = spans.find((s) => s.name === "tools/call send_sms");
      expect(call?.traceId).toBe(traceId);
      expect(call?.parentSpanId).toBe(parentId);
      const children = spans.filter((s) => s.parentSpanId === call?.spanId).map((s) => s.name);
      expect(children.sort()).toEqual(
        ["sms.claim", "sms.policy", "sms.provider", "sms.settle", "sms.validate"].sort(),
      );
      const attributes = Object.fromEntries(
        (call?.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]),
      );
      expect(attributes).toMatchObject({ "sms_mcp.provider": "telnyx", "sms_mcp.outcome": "sent" });
      // Nothing personal or secret anywhere in what was exported.
      const exported = receiver.exports.map((e) => e.body.toString("utf8")).join("\n");
      for (const planted of ["5551234567", "5518", "Traced body", sim.accounts.telnyx.apiKey]) {
        expect(exported).not.toContain(planted);
      }
      expect(exported).toContain("sms-mcp-under-test");
    } finally {
      await server.stop();
    }
  });

  it("http/protobuf (the default): the call's trace id and span names arrive in protobuf", async () => {
    const server = await startHttpCli(traceEnv("http/protobuf"));
    try {
      const traceId = randomBytes(16).toString("hex");
      await modernCall(server.url, `00-${traceId}-${randomBytes(8).toString("hex")}-01`);
      // Spans arrive in batches: wait until the call's and its steps' are all in.
      const exported = () => Buffer.concat(receiver.exports.map((e) => e.body));
      const names = ["tools/call send_sms", "sms.provider", "sms.claim"];
      await expect
        .poll(() => names.every((name) => exported().includes(Buffer.from(name))), {
          timeout: 10_000,
        })
        .toBe(true);
      expect(receiver.exports[0]?.contentType).toBe("application/x-protobuf");
      const bytes = exported();
      expect(bytes.includes(Buffer.from(traceId, "hex"))).toBe(true);
      expect(bytes.includes(Buffer.from("5551234567"))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it.each(["streamable-http", "sse"] as const)(
    "a legacy client's traceparent header is continued (%s)",
    async (transport) => {
      const server = await startHttpCli(traceEnv("http/json"));
      try {
        const traceId = randomBytes(16).toString("hex");
        const parentId = randomBytes(8).toString("hex");
        const client = new Client({ name: "traced-legacy", version: "0" });
        const requestInit = { headers: { traceparent: `00-${traceId}-${parentId}-01` } };
        await client.connect(
          transport === "sse"
            ? new SSEClientTransport(new URL(`${server.url}/sse`), { requestInit })
            : new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit }),
        );
        try {
          await client.callTool({ name: "send_sms", arguments: { to_: TO, message: BODY } });
        } finally {
          await client.close();
        }
        await expect
          .poll(() => jsonSpans(receiver.exports).find((s) => s.name === "tools/call send_sms"), {
            timeout: 10_000,
          })
          .toMatchObject({ traceId, parentSpanId: parentId });
      } finally {
        await server.stop();
      }
    },
  );
});

it("an OTLP protocol it does not speak (grpc) is a warning: the server serves and sends", async () => {
  const server = await startHttpCli({
    ...providerEnv(sim, "telnyx"),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
  });
  try {
    expect(server.stderr()).toContain("no traces: OTEL_EXPORTER_OTLP_PROTOCOL must be");
    await modernCall(
      server.url,
      `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`,
    );
    expect(sim.requests()).toHaveLength(1);
  } finally {
    await server.stop();
  }
  expect(receiver.exports).toHaveLength(0);
});
