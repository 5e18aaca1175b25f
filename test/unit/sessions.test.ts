import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { SessionRegistry } from "../../src/server/http/sessions.js";

/** Just what the registry touches: close() on a transport, the 'close' event on a response. */
function fakeTransport() {
  const transport = {
    closed: false,
    async close() {
      transport.closed = true;
    },
  };
  return transport;
}
const fakeResponse = () => new EventEmitter() as unknown as ServerResponse;

describe("SessionRegistry", () => {
  it("closes sessions idle longer than the timeout, and only those", () => {
    const registry = new SessionRegistry(10, 1000);
    const idle = fakeTransport();
    const busy = fakeTransport();
    registry.add("idle", idle, "c");
    registry.add("busy", busy, "c");
    const stream = fakeResponse();
    registry.track("busy", stream);

    registry.expireIdle(Date.now() + 5000);
    expect(idle.closed).toBe(true);
    expect(busy.closed).toBe(false);
    expect(registry.get("idle", "c")).toBeUndefined();
    expect(registry.size).toBe(1);

    (stream as unknown as EventEmitter).emit("close");
    registry.expireIdle(Date.now() + 5000);
    expect(busy.closed).toBe(true);
    expect(registry.size).toBe(0);
    void registry.closeAll();
  });

  it("is full at its limit", () => {
    const registry = new SessionRegistry(2, 1000);
    registry.add("a", fakeTransport(), "c");
    expect(registry.full).toBe(false);
    registry.add("b", fakeTransport(), "c");
    expect(registry.full).toBe(true);
    registry.remove("a");
    expect(registry.full).toBe(false);
    void registry.closeAll();
  });

  it("gives a session only to the connection whose endpoints opened it", () => {
    const registry = new SessionRegistry(10, 1000);
    const transport = fakeTransport();
    registry.add("s1", transport, "twilio-sales");
    expect(registry.get("s1", "twilio-sales")).toBe(transport);
    expect(registry.get("s1", "twilio-support")).toBeUndefined();
    void registry.closeAll();
  });
});
