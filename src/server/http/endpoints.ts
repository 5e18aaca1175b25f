import type { SmsService } from "../../sms/smsService.js";

/** The endpoints of one connection: which service, and the path prefix they live under. */
export interface Endpoint {
  connectionId: string;
  service: SmsService;
  /** "" for /mcp and /sse (the default connection), else /connections/<id>. */
  prefix: string;
  /** The rest of the path: /mcp, /sse or /messages. */
  path: McpPath;
}

export type McpPath = "/mcp" | "/sse" | "/messages";

/** A connection id as a path segment names it: its endpoints and its status callbacks. */
const CONNECTION_ID = "([a-z0-9][a-z0-9-]{0,63})";
const CONNECTION_PATH = new RegExp(`^/connections/${CONNECTION_ID}(/mcp|/sse|/messages)$`);
const STATUS_PATH = new RegExp(`^/status/${CONNECTION_ID}$`);
const MCP_PATHS = new Set<string>(["/mcp", "/sse", "/messages"]);

/**
 * Which connection a path belongs to: /mcp, /sse and /messages are the default connection's,
 * /connections/<id>/… that connection's, /status/<id> its delivery reports.
 */
export class EndpointMap {
  constructor(
    private readonly defaultService: SmsService,
    private readonly services: ReadonlyMap<string, SmsService>,
  ) {}

  /** The MCP endpoint a path names, if any. */
  mcp(pathname: string): Endpoint | undefined {
    if (MCP_PATHS.has(pathname)) {
      const service = this.defaultService;
      return {
        connectionId: service.connection.id,
        service,
        prefix: "",
        path: pathname as McpPath,
      };
    }
    const match = CONNECTION_PATH.exec(pathname);
    const connectionId = match?.[1];
    const service = connectionId ? this.services.get(connectionId) : undefined;
    if (!connectionId || !service || !match?.[2]) return undefined;
    return {
      connectionId,
      service,
      prefix: `/connections/${connectionId}`,
      path: match[2] as McpPath,
    };
  }

  /** The connection whose status callbacks a path takes, if any. */
  statusCallbacks(pathname: string): SmsService | undefined {
    const connectionId = STATUS_PATH.exec(pathname)?.[1];
    return connectionId ? this.services.get(connectionId) : undefined;
  }

  /** Every service served, each once. */
  all(): SmsService[] {
    return [...new Set([this.defaultService, ...this.services.values()])];
  }
}
