import type { ProviderName } from "./providerNames.js";

/** Which connection a service sends for, as answers and the audit log name it. */
export interface SendIdentity {
  /** Stable id: keys the guardrail state. */
  id: string;
  /** What people call it: shown in answers and the audit log. */
  label: string;
  provider: ProviderName;
  /**
   * Used when a call gives no from_ (any sender kind: a number, `MG…`, a Powerpack UUID, an
   * alphanumeric ID); undefined means every call must give one.
   */
  defaultFrom: string | undefined;
  /**
   * The other senders a call's from_ may name. When set, any other from_ is refused before the
   * provider; when unset, a from_ that is a number is left to the provider to accept. A from_
   * that is not a number must always be the default or listed here. Default: unset.
   */
  senders?: readonly string[] | undefined;
}
