import { Transform, type TransformCallback } from "node:stream";
import {
  isJSONRPCRequest,
  isSpecType,
  type JSONRPCMessage,
  UnsupportedProtocolVersionError,
} from "@modelcontextprotocol/server";
import { claimedRevision } from "./protocolRevisions.js";

/** A JSON-RPC 2.0 error answer to a line the server cannot take. */
export interface RefusedLine {
  /** The request's id when the line carries one the server can read, else null. */
  id: string | number | null;
  code: -32700 | -32600 | -32022;
  message: string;
  data?: unknown;
}

/**
 * Stands between stdin and the SDK's stdio transport and passes each line that is a JSON-RPC
 * message through. Any other line is dropped and `onRefused` says how to answer it:
 * - longer than `maxLineBytes`: Invalid Request (the SDK's own limit instead closes the
 *   transport, dropping the answers to sends in flight);
 * - not JSON: Parse error, id null (JSON-RPC 2.0 §5.1);
 * - JSON but not a JSON-RPC message (`params: null`, no method…): Invalid Request, with the
 *   request's id when it has one, so the host's call gets its answer instead of silence;
 * - a request whose `_meta` envelope claims a revision not in `revisions`: -32022 naming them
 *   (the SDK checks this on the opening message only, and would serve a later one), and a
 *   notification claiming one is dropped, as the SDK drops it when it opens.
 */
export class StdioInputScreen extends Transform {
  private line: Buffer[] = [];
  private lineBytes = 0;
  private dropping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly revisions: readonly string[],
    private readonly onRefused: (refusal: RefusedLine) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      if (!this.dropping) {
        this.line.push(chunk.subarray(start, end));
        this.lineBytes += end - start;
        if (this.lineBytes > this.maxLineBytes) {
          this.line = [];
          this.dropping = true;
          this.onRefused({
            id: null,
            code: -32600,
            message: `Invalid Request: a message line over ${this.maxLineBytes} bytes`,
          });
        }
      }
      if (newline !== -1) {
        if (!this.dropping) this.screen(this.wholeLine());
        this.line = [];
        this.lineBytes = 0;
        this.dropping = false;
      }
      start = end;
    }
    done();
  }

  private wholeLine(): Buffer {
    const [only] = this.line;
    return this.line.length === 1 && only ? only : Buffer.concat(this.line, this.lineBytes);
  }

  private screen(line: Buffer): void {
    const text = line.toString("utf8").trim();
    if (text === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.onRefused({ id: null, code: -32700, message: "Parse error" });
      return;
    }
    if (isSpecType.JSONRPCMessage(value)) {
      // `initialize` is the SDK's to judge: with a claim it does not take, it is the legacy
      // handshake.
      const revision = claimedRevision(value);
      const unsupported = revision !== undefined && !this.revisions.includes(revision);
      if (!unsupported || ("method" in value && value.method === "initialize")) this.push(line);
      else if (isJSONRPCRequest(value)) this.refuseRevision(value.id, revision);
      return;
    }
    this.onRefused({ id: readableId(value), code: -32600, message: invalidRequestReason(value) });
  }

  private refuseRevision(id: string | number, requested: string): void {
    const error = new UnsupportedProtocolVersionError({
      supported: [...this.revisions],
      requested,
    });
    this.onRefused({ id, code: -32022, message: error.message, data: error.data });
  }
}

function readableId(value: unknown): string | number | null {
  if (typeof value !== "object" || value === null || !("id" in value)) return null;
  const { id } = value as { id: unknown };
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null;
}

function invalidRequestReason(value: unknown): string {
  if (typeof value === "object" && value !== null && "params" in value) {
    const { params } = value as { params: unknown };
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      return "Invalid Request: params must be an object";
    }
  }
  return "Invalid Request: not a JSON-RPC 2.0 message";
}

/** The JSON-RPC error message that answers a refused line. */
export function refusalMessage({ id, code, message, data }: RefusedLine): JSONRPCMessage {
  const error = data === undefined ? { code, message } : { code, message, data };
  // The SDK's message type has no error with id null, which JSON-RPC 2.0 requires here.
  return { jsonrpc: "2.0", id, error } as unknown as JSONRPCMessage;
}
