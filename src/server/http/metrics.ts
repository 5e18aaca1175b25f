import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { SendMetrics } from "../../sms/ports/metrics.js";
import type { ProviderName } from "../../sms/providerNames.js";

/** Provider calls take tens of milliseconds to the provider's timeout (15 s by default). */
const PROVIDER_SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
/** A ledger step takes well under a millisecond on a local disk, a round trip on Redis. */
const LEDGER_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2];

/** What the gauges read when scraped. */
export interface MetricsSources {
  /** Legacy sessions open (Streamable HTTP and SSE). */
  sessionsOpen(): number;
  /** Each connection whose ledger is in Redis, and whether Redis answers now. */
  redis(): Promise<ReadonlyArray<{ connection: string; up: boolean }>>;
}

/**
 * The server's metrics in Prometheus's text format (`GET /metrics`), one registry per
 * process. Every label value comes from a fixed set: connection ids from the config, provider
 * names, outcomes, error categories and results (never a number, a text or a token).
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly sends = new Counter({
    name: "sms_mcp_sends_total",
    help: "send_sms attempts by how they ended (sent, failed, unknown, refused, duplicate, dry_run)",
    labelNames: ["connection", "provider", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: "sms_mcp_send_errors_total",
    help: "Attempts that did not send, by outcome and error category (the refusing rule for refused)",
    labelNames: ["connection", "provider", "outcome", "category"] as const,
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: "sms_mcp_guardrail_refusals_total",
    help: "Sends a guardrail refused, by the setting that refused (denyList, perRecipient, quietHours…; emergency)",
    labelNames: ["connection", "rule"] as const,
    registers: [this.registry],
  });
  private readonly providerCalls = new Histogram({
    name: "sms_mcp_provider_call_seconds",
    help: "Each call to the provider's send API, by provider and whether it took the text",
    labelNames: ["provider", "result"] as const,
    buckets: PROVIDER_SECONDS,
    registers: [this.registry],
  });
  private readonly ledgerSteps = new Histogram({
    name: "sms_mcp_ledger_seconds",
    help: "Each step of the send ledger (claim before the provider, settle after it)",
    labelNames: ["step"] as const,
    buckets: LEDGER_SECONDS,
    registers: [this.registry],
  });
  private readonly confirmations = new Counter({
    name: "sms_mcp_confirmations_total",
    help: "Questions put to the person (confirm: ask or human), by how they ended",
    labelNames: ["connection", "result"] as const,
    registers: [this.registry],
  });
  private readonly callbacks = new Counter({
    name: "sms_mcp_status_callbacks_total",
    help: "Providers' delivery reports, by what became of them",
    labelNames: ["connection", "result"] as const,
    registers: [this.registry],
  });

  private sources: MetricsSources = { sessionsOpen: () => 0, redis: async () => [] };

  constructor() {
    const sources = () => this.sources;
    collectDefaultMetrics({ register: this.registry, prefix: "sms_mcp_" });
    new Gauge({
      name: "sms_mcp_sessions_open",
      help: "Legacy sessions open (Streamable HTTP and SSE); 2026-07-28 clients hold none",
      registers: [this.registry],
      collect() {
        this.set(sources().sessionsOpen());
      },
    });
    new Gauge({
      name: "sms_mcp_redis_up",
      help: "1 while the connection's Redis ledger answers, 0 while it does not (sends are refused)",
      labelNames: ["connection"] as const,
      registers: [this.registry],
      async collect() {
        for (const { connection, up } of await sources().redis()) {
          this.set({ connection }, up ? 1 : 0);
        }
      },
    });
  }

  /** Where the gauges read from, once the parts that know exist. */
  watch(sources: Partial<MetricsSources>): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** One connection's view: what its sends report, labelled with its id and provider. */
  forConnection(connection: string, provider: ProviderName): SendMetrics {
    return {
      attempt: (outcome, category) => {
        this.sends.inc({ connection, provider, outcome });
        if (category !== undefined) this.errors.inc({ connection, provider, outcome, category });
      },
      guardrailRefusal: (rule) => this.refusals.inc({ connection, rule }),
      providerCall: (seconds, ok) =>
        this.providerCalls.observe({ provider, result: ok ? "ok" : "error" }, seconds),
      ledger: (step, seconds) => this.ledgerSteps.observe({ step }, seconds),
      confirmation: (result) => this.confirmations.inc({ connection, result }),
      statusCallback: (result) => this.callbacks.inc({ connection, result }),
    };
  }

  /** Answers a scrape. */
  async serve(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await this.registry.metrics();
    res.writeHead(200, { "content-type": this.registry.contentType });
    res.end(text);
  }
}
