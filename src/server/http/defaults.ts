// The HTTP server's defaults, each declared once: the server's options and the CLI's flags
// both read them from here. No imports: the CLI's help text loads this without the server.

/**
 * The largest JSON-RPC request body read on any MCP endpoint.
 * @default 65536 (64 KiB)
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * The most legacy sessions (Streamable HTTP sessions and SSE streams) open at once; a new
 * one beyond it is answered 503. 2026-07-28 requests open none.
 * @default 1000
 */
export const DEFAULT_MAX_SESSIONS = 1000;

/**
 * How long a legacy session with no open request or stream lives on.
 * @default 1_800_000 (30 minutes)
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;

/**
 * How long a shutdown waits for sends in flight to answer. `serve` passes the longest a send
 * can take instead.
 * @default 10_000
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/**
 * Status callbacks each connection takes per second, on average.
 * @default 20
 */
export const DEFAULT_CALLBACKS_PER_SECOND = 20;

/**
 * Status callbacks a connection takes at once above that rate.
 * @default 100
 */
export const DEFAULT_CALLBACK_BURST = 100;
