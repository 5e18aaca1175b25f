import { createHmac, randomUUID } from "node:crypto";
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  createRequestStateCodec,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  type RequestStateCodec,
  SdkError,
  SdkErrorCode,
  type Server,
  type ServerContext,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";
import type { ConfirmationAnswer, ConfirmationRequest, Confirmer } from "../sms/confirmation.js";
import { CONFIRM_INPUT_KEY, confirmationForm, SEND_FIELD } from "./confirmationForm.js";
import type { ToolService } from "./toolService.js";

/** What a form's sealed state binds (readable by the client, so nothing secret). */
interface SealedConfirmation {
  /** The connection's id. */
  c: string;
  /** A keyed digest of what the person was shown: recipient, sender, text. */
  d: string;
  /** Spent in the ledger once the text goes: one yes, one text. */
  n: string;
  /** When the form was sent (ms since the epoch): an answer after the timeout is no answer. */
  t: number;
}

const codecs = new WeakMap<
  ToolService,
  Promise<{ key: Uint8Array; codec: RequestStateCodec<SealedConfirmation> }>
>();

function sealing(service: ToolService) {
  let made = codecs.get(service);
  if (!made) {
    made = service.sealingKey().then((key) => ({
      key,
      codec: createRequestStateCodec<SealedConfirmation>({
        key,
        ttlSeconds: service.confirmation.windowSeconds,
        // The caller that was shown the form is the one whose yes counts (the spec's binding
        // of state to the authenticated principal; empty where there is no authentication).
        bind: (ctx) => ctx.http?.authInfo?.clientId ?? "",
      }),
    }));
    // A key that could not be read (Redis down) is asked for again by the next call.
    made.catch(() => codecs.delete(service));
    codecs.set(service, made);
  }
  return made;
}

function digestOf(key: Uint8Array, { to, from, body }: ConfirmationRequest): string {
  return createHmac("sha256", key)
    .update(JSON.stringify(["sms-mcp confirmation", to, from, body]))
    .digest("base64url");
}

/**
 * Form elicitation, as the spec reads a client's capabilities: `elicitation: {}` (the 2025-06
 * shape) means forms; with sub-keys, only a declared `form` does.
 */
function canShowForms(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  if (!elicitation) return false;
  return "form" in elicitation || !("url" in elicitation);
}

const LEGACY_REVISIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

/**
 * The `_meta` envelope of a request served on 2026-07-28; undefined on a legacy connection,
 * even when a legacy client sent the envelope's keys.
 */
function modernEnvelope(server: Server, ctx: ServerContext): Record<string, unknown> | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  if (envelope?.[PROTOCOL_VERSION_META_KEY] === undefined) return undefined;
  // Deprecated for reading a 2026-07-28 request's revision (the envelope has it), but the one
  // public word for what the instance negotiated with a legacy client.
  const negotiated = server.getNegotiatedProtocolVersion();
  return negotiated !== undefined && LEGACY_REVISIONS.has(negotiated) ? undefined : envelope;
}

/** One tools/call's way of asking the person, and the form it left pending, if any. */
export interface CallConfirmation {
  confirmer: Confirmer;
  /** After a send that answered "awaiting the person": the `input_required` result to return. */
  pending(): InputRequiredResult;
}

/**
 * How this call asks the person: on 2026-07-28 the form rides an `input_required` result and
 * comes back with the retried call, its state sealed; on a legacy session or stdio the server
 * sends `elicitation/create` and waits for the answer within the call. A client that declared
 * no form elicitation, or a legacy request served without a session, cannot be asked.
 */
export function callConfirmation(
  service: ToolService,
  server: Server,
  ctx: ServerContext,
): CallConfirmation {
  let form: InputRequiredResult | undefined;
  const envelope = modernEnvelope(server, ctx);
  const confirmer: Confirmer = envelope
    ? async (request) => {
        const capabilities = envelope[CLIENT_CAPABILITIES_META_KEY] as
          | ClientCapabilities
          | undefined;
        const answer = await modernAnswer(service, ctx, request, canShowForms(capabilities));
        if ("asking" in answer) {
          form = inputRequired({
            inputRequests: { [CONFIRM_INPUT_KEY]: inputRequired.elicit(confirmationForm(request)) },
            requestState: answer.asking,
          });
          return { kind: "asking" };
        }
        return answer;
      }
    : // Deprecated for 2026-07-28 requests only: on a legacy connection it is the initialize's.
      (request) =>
        legacyAnswer(service, ctx, request, canShowForms(server.getClientCapabilities()));
  return {
    confirmer,
    pending() {
      if (!form) throw new Error("no confirmation form is pending");
      return form;
    },
  };
}

/** 2026-07-28: the first call sends the form; the retried call brings the answer. */
async function modernAnswer(
  service: ToolService,
  ctx: ServerContext,
  request: ConfirmationRequest,
  canAsk: boolean,
): Promise<ConfirmationAnswer | { asking: string }> {
  const state = ctx.mcpReq.requestState<unknown>();
  const responses = ctx.mcpReq.inputResponses;
  if (state === undefined) {
    if (responses !== undefined && CONFIRM_INPUT_KEY in responses) {
      return { kind: "invalid", why: "the answer to the form came without its state" };
    }
    if (!canAsk) return { kind: "cannot_ask" };
  }
  // Only a form that is sent or answered needs the key (a file or Redis read, the first time).
  const { key, codec } = await sealing(service);
  const connectionId = service.connection.id;
  if (state === undefined) {
    const sealed = { c: connectionId, d: digestOf(key, request), n: randomUUID(), t: Date.now() };
    return { asking: await codec.mint(sealed, ctx) };
  }
  if (typeof state !== "string") return { kind: "invalid", why: "the form's state is not valid" };
  let sealed: SealedConfirmation;
  try {
    sealed = await codec.verify(state, ctx);
  } catch (error) {
    const why = error instanceof Error ? error.message : "";
    return {
      kind: "invalid",
      why:
        why === "expired"
          ? "the confirmation expired before the text was sent"
          : why === "bind"
            ? "the confirmation was given to another caller"
            : "the form's state was not issued by this server",
    };
  }
  if (sealed.c !== connectionId) {
    return { kind: "invalid", why: "the confirmation was given on another connection" };
  }
  if (sealed.d !== digestOf(key, request)) {
    return { kind: "invalid", why: "the confirmation was given for another text or recipient" };
  }
  const answer = inputResponse(responses, CONFIRM_INPUT_KEY);
  if (answer.kind !== "elicit") {
    return { kind: "invalid", why: "the retried call did not carry the person's answer" };
  }
  if (answer.action !== "accept" || answer.content?.[SEND_FIELD] !== true) {
    return { kind: "declined" };
  }
  // The same limit as a form shown during a legacy call: a yes from a host that showed the
  // form late, or a person who came back to it later, gets the timeout's advice instead.
  if (Date.now() - sealed.t > service.confirmation.timeoutSeconds * 1000) {
    return { kind: "no_answer" };
  }
  return { kind: "accepted", nonce: sealed.n };
}

/** How often a legacy client waiting on the form hears that the call is still alive. */
const PROGRESS_EVERY_MS = 10_000;

/**
 * 2025 eras: `elicitation/create` during the call, waited for up to the timeout. A client that
 * asked for progress hears from the call while the person reads (so its own request timeout,
 * 60 s in the SDKs, can restart); a call the client cancels sends nothing.
 */
async function legacyAnswer(
  service: ToolService,
  ctx: ServerContext,
  request: ConfirmationRequest,
  canAsk: boolean,
): Promise<ConfirmationAnswer> {
  if (!canAsk) return { kind: "cannot_ask" };
  const progressToken = ctx.mcpReq._meta?.progressToken;
  let beats = 0;
  const heartbeat =
    progressToken === undefined
      ? undefined
      : setInterval(() => {
          beats += 1;
          ctx.mcpReq
            .notify({
              method: "notifications/progress",
              params: { progressToken, progress: beats, message: "waiting for the person" },
            })
            .catch(() => undefined);
        }, PROGRESS_EVERY_MS);
  try {
    const result = await ctx.mcpReq.elicitInput(confirmationForm(request), {
      timeout: service.confirmation.timeoutSeconds * 1000,
      signal: ctx.mcpReq.signal,
    });
    return result.action === "accept" && result.content?.[SEND_FIELD] === true
      ? { kind: "accepted" }
      : { kind: "declined" };
  } catch (error) {
    if (error instanceof SdkError && error.code === SdkErrorCode.CapabilityNotSupported) {
      return { kind: "cannot_ask" };
    }
    // An answer that does not fit the form (`send: "yes"`) is no clear yes.
    if (error instanceof ProtocolError && error.code === ProtocolErrorCode.InvalidParams) {
      return { kind: "declined" };
    }
    // The time ran out, the call was cancelled, or the client failed to show the form.
    return { kind: "no_answer" };
  } finally {
    clearInterval(heartbeat);
  }
}
