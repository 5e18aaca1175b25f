"""One send_sms call through the official MCP Python SDK's client, for test/e2e/pythonClient.test.ts.

Usage: send_sms_client.py <stdio|http|sse> <target> <auto|legacy> <to> <message>
  stdio: target is the path of the sms-mcp CLI, run with this process's environment
  http, sse: target is the endpoint URL
Prints one JSON line: the protocol version negotiated, the answer's texts and isError.
"""

import json
import os
import sys

import anyio
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters


def server_for(kind: str, target: str):
    if kind == "stdio":
        node = os.environ.get("SMS_MCP_TEST_NODE", "node")
        return StdioServerParameters(command=node, args=[target, "serve"], env=dict(os.environ))
    if kind == "http":
        return target
    if kind == "sse":
        return sse_client(target)
    raise SystemExit(f"unknown transport {kind}")


async def main() -> None:
    kind, target, mode, to, message = sys.argv[1:6]
    async with Client(server_for(kind, target), mode=mode) as client:
        tools = await client.list_tools()
        result = await client.call_tool("send_sms", {"to_": to, "message": message})
        print(
            json.dumps(
                {
                    "protocolVersion": client.protocol_version,
                    "tools": [tool.name for tool in tools.tools],
                    "texts": [block.text for block in result.content if block.type == "text"],
                    "isError": bool(result.is_error),
                    "structuredContent": result.structured_content,
                }
            ),
            flush=True,
        )


anyio.run(main)
