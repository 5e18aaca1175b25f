/** The steps of one send that get a span of their own (DESIGN §18). */
export type SendStep = "validate" | "policy" | "confirm" | "claim" | "provider" | "settle";

/** A caller's W3C trace context: from a 2026-07-28 request's `_meta`, or HTTP headers. */
export interface TraceParent {
  traceparent: string;
  tracestate?: string | undefined;
}

/** Span attributes: fixed words and small counts, never a number, a text or a secret. */
export type SpanFacts = Record<string, string | number | boolean | undefined>;

/**
 * Where a send's spans go. The call's span continues the caller's trace; each step is a
 * child of it.
 */
export interface SendTracer {
  /** Runs one tools/call (or CLI send) in a span of its own, under `parent` when given. */
  call<T>(name: string, parent: TraceParent | undefined, run: () => Promise<T>): Promise<T>;
  /** Runs one step of the send in a child span; a thrown error marks it failed. */
  step<T>(step: SendStep, run: () => Promise<T>): Promise<T>;
  /** Adds facts to the current call's span. */
  note(facts: SpanFacts): void;
}

/** Traces nothing: the default, where OpenTelemetry is not configured. */
export const NO_TRACER: SendTracer = {
  call: (_name, _parent, run) => run(),
  step: (_step, run) => run(),
  note: () => undefined,
};
