import type {
  ClaimDecision,
  ClaimRequest,
  EarlierAttempt,
  GuardrailStore,
  RateBucket,
  RateLimited,
  Settlement,
} from "../sms/ports/store.js";
import { LedgerState } from "./ledgerState.js";

/** The ledger for one process, in memory: forgotten when the process ends (tests, dry runs). */
export class MemoryGuardrailStore implements GuardrailStore {
  private readonly state = new LedgerState();

  /** Rate windows and duplicate keys held (aged-out ones go at the next sweep). */
  get size(): number {
    return this.state.size;
  }

  async claim(request: ClaimRequest, now: number): Promise<ClaimDecision> {
    const decision = this.state.decide(request, now);
    if (decision.kind === "claimed") {
      this.state.claim(request.attemptId, request.duplicate, request.buckets, "self", now);
    }
    return decision;
  }

  async earlier(duplicateKey: string, now: number): Promise<EarlierAttempt | undefined> {
    return this.state.holder(duplicateKey, now);
  }

  async rateRefusal(buckets: RateBucket[], now: number): Promise<RateLimited | undefined> {
    return this.state.rateRefusal(buckets, now);
  }

  async settle(
    attemptId: string,
    _duplicateKey: string | undefined,
    settlement: Settlement,
  ): Promise<void> {
    this.state.settle(attemptId, settlement);
  }
}
