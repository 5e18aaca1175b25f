// Loaded only when tracing is configured (see tracing.ts): the SDK, the exporter, and the
// context machinery that lets a step's span find its call's span across awaits.
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SendTracer, TraceParent } from "../sms/ports/tracer.js";
import { VERSION } from "../version.js";
import type { Tracing } from "./tracing.js";

/**
 * A tracer provider exporting over OTLP/HTTP in `protocol`; the exporter and the batch
 * processor read the standard `OTEL_*` variables themselves (endpoint, headers, timeout,
 * batch sizes), and the resource takes `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`.
 */
export function openTelemetry(protocol: "http/protobuf" | "http/json"): Tracing {
  const exporter = protocol === "http/json" ? new JsonExporter() : new ProtobufExporter();
  const processor = new BatchSpanProcessor(exporter);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ "service.name": "sms-mcp", "service.version": VERSION }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const tracer = provider.getTracer("sms-mcp", VERSION);

  /** Ends `span` with the outcome of `run`, which runs with the span active. */
  async function within<T>(span: Span, parent: Context, run: () => Promise<T>): Promise<T> {
    try {
      return await context.with(trace.setSpan(parent, span), run);
    } catch (error) {
      // The error's name only: its message may carry what a caller wrote.
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      throw error;
    } finally {
      span.end();
    }
  }

  const sendTracer: SendTracer = {
    call<T>(name: string, parent: TraceParent | undefined, run: () => Promise<T>) {
      const from = parent ? propagation.extract(ROOT_CONTEXT, parent) : context.active();
      return within(tracer.startSpan(name, { kind: SpanKind.SERVER }, from), from, run);
    },
    step<T>(step: string, run: () => Promise<T>) {
      const parent = context.active();
      return within(tracer.startSpan(`sms.${step}`, {}, parent), parent, run);
    },
    note(facts) {
      const span = trace.getActiveSpan();
      for (const [key, value] of Object.entries(facts)) {
        if (value !== undefined) span?.setAttribute(key, value);
      }
    },
  };
  return { tracer: sendTracer, shutdown: () => provider.shutdown() };
}
