// The clients a user's host may be built on, each connected to sms-mcp over one transport:
// the official TypeScript SDK v2 client in `auto` mode (it probes and speaks 2026-07-28 where
// the server does) and in its default legacy mode, and the v1 client.
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as HttpV2,
  SSEClientTransport as SseV2,
} from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioV2 } from "@modelcontextprotocol/client/stdio";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport as SseV1 } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport as StdioV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as HttpV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema as ElicitRequestSchemaV1 } from "@modelcontextprotocol/sdk/types.js";
import { cleanEnv } from "./simulatorEnv.js";
import { CLI_PATH } from "./stdioServer.js";

export type ClientKind = "v2 auto" | "v2 legacy" | "v1";

/** The form a server asked the person to fill in, as the client's handler got it. */
export interface AskedForm {
  message: string;
  requestedSchema?: unknown;
}

/** A person at the host: answers a confirmation form (or never does). */
export type FormAnswerer = (form: AskedForm) => Promise<{
  action: "accept" | "decline" | "cancel";
  content?: Record<string, string | number | boolean | string[]>;
}>;

export interface ClientOptions {
  /** Declares form elicitation and answers each form with this; absent: no elicitation. */
  answer?: FormAnswerer;
}
export type TransportKind = "stdio" | "streamable-http" | "sse";

/** Where the server is: the env a spawned stdio server gets, the URL of a running HTTP one. */
export interface ServerUnderTest {
  env: Record<string, string>;
  url: string;
}

export interface ConnectedClient {
  /** `modern` or `legacy`: what the connection speaks (v1 only ever speaks legacy). */
  era: "modern" | "legacy";
  protocolVersion: string | undefined;
  listToolNames(): Promise<string[]>;
  send(
    args: Record<string, unknown>,
  ): Promise<{ texts: string[]; isError: boolean; structured: Record<string, unknown> }>;
  close(): Promise<void>;
}

function texts(content: Array<{ type: string; text?: string }>): string[] {
  return content.flatMap((block) =>
    block.type === "text" && block.text !== undefined ? [block.text] : [],
  );
}

function stdioParams(server: ServerUnderTest) {
  return {
    command: process.execPath,
    args: [CLI_PATH, "serve"],
    env: { ...cleanEnv(), SMS_MCP_LOG_LEVEL: "warn", ...server.env },
  };
}

export async function connectClient(
  kind: ClientKind,
  transport: TransportKind,
  server: ServerUnderTest,
  options: ClientOptions = {},
): Promise<ConnectedClient> {
  const { answer } = options;
  if (kind === "v1") {
    const client = new ClientV1(
      { name: "sms-mcp-tests-v1", version: "0" },
      answer ? { capabilities: { elicitation: {} } } : undefined,
    );
    if (answer) {
      client.setRequestHandler(ElicitRequestSchemaV1, (request) =>
        answer(request.params as AskedForm),
      );
    }
    await client.connect(
      transport === "stdio"
        ? new StdioV1(stdioParams(server))
        : transport === "sse"
          ? new SseV1(new URL(`${server.url}/sse`))
          : new HttpV1(new URL(`${server.url}/mcp`)),
    );
    return {
      era: "legacy",
      protocolVersion: undefined,
      listToolNames: async () => (await client.listTools()).tools.map((tool) => tool.name),
      async send(args) {
        const result = await client.callTool({ name: "send_sms", arguments: args });
        return {
          texts: texts(result.content as Array<{ type: string; text?: string }>),
          isError: result.isError === true,
          structured: (result.structuredContent ?? {}) as Record<string, unknown>,
        };
      },
      close: () => client.close(),
    };
  }
  const client = new ClientV2(
    { name: "sms-mcp-tests-v2", version: "0" },
    {
      ...(kind === "v2 auto" ? { versionNegotiation: { mode: "auto" as const } } : {}),
      ...(answer ? { capabilities: { elicitation: { form: {} } } } : {}),
    },
  );
  // The same handler serves a legacy server's elicitation/create and a 2026-07-28 server's
  // input_required form (the client fulfils it and retries the call).
  if (answer) {
    client.setRequestHandler("elicitation/create", (request) =>
      answer(request.params as AskedForm),
    );
  }
  await client.connect(
    transport === "stdio"
      ? new StdioV2(stdioParams(server))
      : transport === "sse"
        ? new SseV2(new URL(`${server.url}/sse`))
        : new HttpV2(new URL(`${server.url}/mcp`)),
  );
  return {
    era: client.getProtocolEra() ?? "legacy",
    protocolVersion: client.getNegotiatedProtocolVersion(),
    listToolNames: async () => (await client.listTools()).tools.map((tool) => tool.name),
    async send(args) {
      const result = await client.callTool({ name: "send_sms", arguments: args });
      return {
        texts: texts(result.content),
        isError: result.isError === true,
        structured: (result.structuredContent ?? {}) as Record<string, unknown>,
      };
    },
    close: () => client.close(),
  };
}
