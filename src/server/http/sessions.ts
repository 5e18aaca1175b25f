import type { ServerResponse } from "node:http";

/** What the registry needs of a session's transport: a way to end it. */
export interface SessionTransport {
  close(): Promise<void>;
}

interface Session {
  transport: SessionTransport;
  /** The connection whose endpoints opened it: only those endpoints may use it. */
  connectionId: string;
  /** Responses still open: a session with a live stream or request is never idle. */
  open: number;
  lastActive: number;
}

/**
 * Open legacy MCP sessions (2025-era Streamable HTTP and 2024-11-05 SSE), bounded in number
 * and expired when idle. 2026-07-28 requests are stateless and never appear here.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly maxSessions: number,
    private readonly idleMs: number,
  ) {
    this.sweeper = setInterval(() => this.expireIdle(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  get full(): boolean {
    return this.sessions.size >= this.maxSessions;
  }

  /** The session, when it exists and belongs to `connectionId`. */
  get(id: string, connectionId: string): SessionTransport | undefined {
    const session = this.sessions.get(id);
    return session?.connectionId === connectionId ? session.transport : undefined;
  }

  add(id: string, transport: SessionTransport, connectionId: string): void {
    this.sessions.set(id, { transport, connectionId, open: 0, lastActive: Date.now() });
  }

  remove(id: string): void {
    this.sessions.delete(id);
  }

  track(id: string, res: ServerResponse): void {
    const session = this.sessions.get(id);
    if (!session) return;
    session.open += 1;
    session.lastActive = Date.now();
    res.on("close", () => {
      session.open -= 1;
      session.lastActive = Date.now();
    });
  }

  expireIdle(now = Date.now()): void {
    for (const [id, session] of this.sessions) {
      if (session.open === 0 && now - session.lastActive > this.idleMs) {
        this.sessions.delete(id);
        void session.transport.close().catch(() => undefined);
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map((s) => s.transport.close()));
  }
}
