import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { cleanEnv } from "./simulatorEnv.js";

export const CLI_PATH = fileURLToPath(new URL("../../dist/bin/main.js", import.meta.url));

export interface StdioServer {
  client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  call(args: unknown): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Spawns the built `sms-mcp serve` exactly as a host would and connects the SDK's real Client. */
export async function startStdioServer(
  env: Record<string, string>,
  args: string[] = [],
): Promise<StdioServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, "serve", ...args],
    env: { ...cleanEnv(), SMS_MCP_LOG_LEVEL: "debug", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: "sms-mcp-tests", version: "0.0.0" });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    call: async (callArgs) =>
      (await client.callTool({
        name: "send_sms",
        arguments: callArgs as Record<string, unknown>,
      })) as CallToolResult,
    close: () => client.close(),
  };
}

export function texts(result: CallToolResult): string[] {
  return result.content.flatMap((block) => (block.type === "text" ? [block.text] : []));
}
