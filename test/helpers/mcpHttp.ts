import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** An MCP `initialize` request, as a client's first POST /mcp sends it. */
export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "0" },
  },
};

/** POSTs `initialize` to an MCP endpoint, with a bearer token when one is given. */
export function postInitialize(url: string, token?: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(INITIALIZE),
  });
}

/** One `send_sms` call through the SDK's real Client over Streamable HTTP at `<url>/mcp`. */
export async function sendOverHttp(url: string, to: string, message: string) {
  const client = new Client({ name: "sms-mcp-tests", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  try {
    return (await client.callTool({
      name: "send_sms",
      arguments: { to_: to, message },
    })) as CallToolResult;
  } finally {
    await client.close();
  }
}
