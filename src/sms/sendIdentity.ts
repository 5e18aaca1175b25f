import type { ProviderName } from "./providerNames.js";

/** Which connection a service sends for, as answers and the audit log name it. */
export interface SendIdentity {
  /** Stable id: keys the guardrail state. */
  id: string;
  /** What people call it: shown in answers and the audit log. */
  label: string;
  provider: ProviderName;
  /** Used when a call gives no from_; undefined means every call must give one. */
  defaultFrom: string | undefined;
}
