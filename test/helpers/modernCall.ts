// A 2026-07-28 tools/call of send_sms as a modern client POSTs it: the revision's headers and
// the `_meta` envelope, for tests that send what the SDK's client would not (forged state,
// another text's state, a chosen trace context).

export const MODERN_REVISION = "2026-07-28";

/** The `_meta` envelope of a client that declared `capabilities`. */
export function modernMeta(capabilities: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "io.modelcontextprotocol/protocolVersion": MODERN_REVISION,
    "io.modelcontextprotocol/clientInfo": { name: "raw", version: "0" },
    "io.modelcontextprotocol/clientCapabilities": capabilities,
  };
}

let nextId = 1;

/**
 * POSTs `tools/call send_sms` to `<url>/mcp`. `params` are merged into the call's params (a
 * retry's `requestState` and `inputResponses`); `meta` replaces the default envelope.
 */
export function postModernCall(
  url: string,
  args: object,
  {
    meta = modernMeta(),
    params = {},
    headers = {},
  }: {
    meta?: Record<string, unknown>;
    params?: Record<string, unknown>;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": MODERN_REVISION,
      "mcp-method": "tools/call",
      "mcp-name": "send_sms",
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: nextId++,
      method: "tools/call",
      params: { name: "send_sms", arguments: args, _meta: meta, ...params },
    }),
  });
}
