import type { SendTracer } from "../sms/ports/tracer.js";
import type { Logger } from "./logger.js";

/** A process's traces: the tracer its sends use, and the flush before it exits. */
export interface Tracing {
  tracer: SendTracer;
  /** Sends what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing when the standard variables ask for it: `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (or `…_TRACES_ENDPOINT`), not switched off by `OTEL_SDK_DISABLED=true` or
 * `OTEL_TRACES_EXPORTER=none`. Otherwise undefined, and nothing of OpenTelemetry is loaded.
 */
export async function startTracing(
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<Tracing | undefined> {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return undefined;
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    "http/protobuf"
  ).trim();
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    // Traces are the operator's, the texts the users': a setting for the one never stops the other.
    logger.warn(
      { protocol },
      "no traces: OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf (the default) or http/json",
    );
    return undefined;
  }
  const { openTelemetry } = await import("./openTelemetry.js");
  const tracing = openTelemetry(protocol);
  logger.info({ protocol }, "sending traces over OTLP");
  return tracing;
}
