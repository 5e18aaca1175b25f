// sms-mcp's list of the stateless revisions it speaks is its own (the SDK exports none): it
// must be exactly what the SDK itself answers to a revision it does not speak.
import { PassThrough } from "node:stream";
import { McpServer } from "@modelcontextprotocol/server";
import { StdioServerTransport, serveStdio } from "@modelcontextprotocol/server/stdio";
import { expect, it } from "vitest";
import { MODERN_REVISIONS } from "../../src/server/protocolRevisions.js";

it("MODERN_REVISIONS is what the SDK's own stdio entry names to a client asking for another revision", async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const handle = serveStdio(() => new McpServer({ name: "bare", version: "0" }), {
    transport: new StdioServerTransport(input, output),
  });
  const answer = new Promise<{ error: { code: number; data: { supported: string[] } } }>(
    (resolve) => output.once("data", (chunk: Buffer) => resolve(JSON.parse(chunk.toString()))),
  );
  input.write(
    `${JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/list",
      params: {
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2099-01-01",
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    })}\n`,
  );
  const { error } = await answer;
  expect(error.code).toBe(-32022);
  expect(error.data.supported).toEqual([...MODERN_REVISIONS]);
  await handle.close();
});
