import { randomUUID } from "node:crypto";
import type { RouteHandler, SimContext } from "./context.js";
import { deliveryOutcome } from "./delivery.js";
import { bearer, type SimRequest, sendJson } from "./http.js";
import { ALPHANUMERIC_SENDER, E164, MAX_BODY_CHARS, scenarioFor } from "./reservedNumbers.js";
import { simulatedSegments } from "./segments.js";

function telnyxError(
  request: SimRequest,
  status: number,
  code: string,
  title: string,
  detail: string,
  pointer?: string,
) {
  sendJson(request.res, status, {
    errors: [
      {
        code,
        title,
        detail,
        ...(pointer ? { source: { pointer } } : {}),
        meta: { url: `https://developers.telnyx.com/docs/overview/errors/${code}` },
      },
    ],
  });
}

/** The account's messaging profiles as Telnyx shows them; the disabled ones last. */
function messagingProfiles(context: SimContext) {
  const { messagingProfiles: enabled, disabledMessagingProfiles = [] } = context.accounts.telnyx;
  return [...enabled, ...disabledMessagingProfiles].map((id, i) => ({
    record_type: "messaging_profile",
    id,
    name: `Simulated profile ${i + 1}`,
    enabled: enabled.includes(id),
    webhook_url: null,
  }));
}

function sendMessage(request: SimRequest, context: SimContext) {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const { from, to, text, messaging_profile_id: profile } = body;
  const profiles = context.accounts.telnyx.messagingProfiles;
  if (profile !== undefined && !profiles.includes(String(profile))) {
    return telnyxError(
      request,
      400,
      "40013",
      "Invalid messaging profile",
      "The messaging_profile_id is not a messaging profile on your account.",
      "/messaging_profile_id",
    );
  }
  // An alphanumeric sender ID is sent through a messaging profile, never alone.
  const alphanumeric = typeof from === "string" && ALPHANUMERIC_SENDER.test(from);
  if (typeof to !== "string" || !E164.test(to) || scenarioFor(to) === "invalid_recipient") {
    return telnyxError(
      request,
      400,
      "40310",
      "Invalid 'to' address",
      "The 'to' address should be a valid E.164 phone number.",
      "/to",
    );
  }
  if (
    typeof from !== "string" ||
    (alphanumeric
      ? profile === undefined
      : !(context.accounts.telnyx.numbers as readonly string[]).includes(from))
  ) {
    return telnyxError(
      request,
      400,
      "40305",
      "Invalid 'from' address",
      "The 'from' address should be a phone number on your account with messaging enabled.",
      "/from",
    );
  }
  if (typeof text !== "string" || text === "") {
    return telnyxError(
      request,
      400,
      "40306",
      "Invalid message body",
      "The 'text' parameter is required.",
      "/text",
    );
  }
  const scenario = scenarioFor(to);
  if (text.length > MAX_BODY_CHARS || scenario === "too_long") {
    return telnyxError(
      request,
      400,
      "40302",
      "Message too large",
      "The message exceeds the maximum number of parts.",
      "/text",
    );
  }
  if (scenario === "opted_out") {
    return telnyxError(
      request,
      409,
      "40300",
      "Blocked due to STOP message",
      "The recipient has replied STOP to this sender.",
    );
  }
  if (scenario === "rate_limited") {
    return telnyxError(request, 429, "10011", "Too many requests", "Too many requests; slow down.");
  }
  if (scenario === "server_error") {
    return telnyxError(request, 500, "10007", "Unexpected error", "An unexpected error occurred.");
  }
  if (scenario === "hang") return context.hang(request);

  const { segments, encoding } = simulatedSegments(text);
  const now = new Date().toISOString();
  const message = {
    record_type: "message",
    direction: "outbound",
    id: randomUUID(),
    type: "SMS",
    messaging_profile_id: "40017f8e-49bd-4f16-9e3d-ef103f916228",
    organization_id: "b448f9cc-a842-4784-98e9-03c1a5872950",
    from: { phone_number: from, carrier: "Telnyx", line_type: "Wireless" },
    to: [{ phone_number: to, status: "queued", carrier: "SIMULATED", line_type: "Wireless" }],
    text,
    media: [],
    webhook_url: typeof body.webhook_url === "string" ? body.webhook_url : null,
    webhook_failover_url: null,
    encoding,
    parts: segments,
    tags: [],
    cost: null,
    received_at: now,
    sent_at: null,
    completed_at: null,
    valid_until: new Date(Date.now() + 14_400_000).toISOString(),
    errors: [],
  };
  context.messages.push({ provider: "telnyx", resource: message });
  context.took(request, "telnyx", { id: message.id, to, from: String(from) }, body.webhook_url);
  context.accepted(request, to, 200, { data: message });
}

/** One message, as Telnyx's retrieve shows it once its delivery has settled. */
function retrieveMessage(request: SimRequest, context: SimContext, id: string) {
  const found = context.messages.find((m) => m.provider === "telnyx" && m.resource.id === id);
  if (!found) {
    return telnyxError(request, 404, "10005", "Resource not found", `No message ${id}.`);
  }
  const [recipient] = found.resource.to as Array<Record<string, unknown>>;
  const outcome = deliveryOutcome("telnyx", recipient?.phone_number);
  sendJson(request.res, 200, {
    data: {
      ...found.resource,
      to: [{ ...recipient, status: outcome.status }],
      completed_at: new Date().toISOString(),
      errors:
        outcome.errorCode === null
          ? []
          : [{ code: outcome.errorCode, title: outcome.title, detail: outcome.title }],
    },
  });
}

function listNumbers(request: SimRequest, context: SimContext) {
  const { numbers, voiceOnlyNumbers } = context.accounts.telnyx;
  const all = [
    ...numbers.map((n) => ({ n, sms: true })),
    ...voiceOnlyNumbers.map((n) => ({ n, sms: false })),
  ];
  const size = Math.min(Math.max(Number(request.query.get("page[size]") ?? 20) || 20, 1), 250);
  const page = Math.max(Number(request.query.get("page[number]") ?? 1) || 1, 1);
  const slice = all.slice((page - 1) * size, page * size);
  const feature = {
    domestic_two_way: true,
    international_inbound: false,
    international_outbound: false,
  };
  sendJson(request.res, 200, {
    data: slice.map(({ n, sms }, i) => ({
      record_type: "messaging_settings",
      id: String(1_000_000 + (page - 1) * size + i),
      phone_number: n,
      type: "longcode",
      country_code: "US",
      messaging_profile_id: sms ? "40017f8e-49bd-4f16-9e3d-ef103f916228" : null,
      messaging_product: "P2P",
      health: null,
      eligible_messaging_products: ["A2P"],
      traffic_type: "P2P",
      features: { sms: sms ? feature : null, mms: null },
    })),
    meta: {
      page_number: page,
      page_size: size,
      total_pages: Math.max(Math.ceil(all.length / size), 1),
      total_results: all.length,
    },
  });
}

export const telnyxRoutes: RouteHandler = (request, context) => {
  if (bearer(request.headers.authorization) !== context.accounts.telnyx.apiKey) {
    telnyxError(
      request,
      401,
      "10009",
      "Authentication failed",
      "The API key looks malformed or is not valid.",
    );
    return;
  }
  const path = request.path.replace(/\/+$/, "");
  if (request.method === "POST" && path === "/v2/messages") sendMessage(request, context);
  else if (request.method === "GET" && path.startsWith("/v2/messages/")) {
    retrieveMessage(request, context, path.slice("/v2/messages/".length));
  } else if (request.method === "GET" && path === "/v2/messaging_profiles") {
    const profiles = messagingProfiles(context);
    sendJson(request.res, 200, {
      data: profiles,
      meta: { page_number: 1, page_size: 250, total_pages: 1, total_results: profiles.length },
    });
  } else if (request.method === "GET" && path.startsWith("/v2/messaging_profiles/")) {
    const id = path.slice("/v2/messaging_profiles/".length);
    const profile = messagingProfiles(context).find((p) => p.id === id);
    if (profile) sendJson(request.res, 200, { data: profile });
    else telnyxError(request, 404, "10005", "Resource not found", `No messaging profile ${id}.`);
  } else if (request.method === "GET" && path === "/v2/phone_numbers/messaging")
    listNumbers(request, context);
  else if (request.method === "GET" && path === "/v2/balance") {
    sendJson(request.res, 200, {
      data: {
        record_type: "balance",
        balance: "100.00",
        credit_limit: "0.00",
        available_credit: "100.00",
        pending: "0.00",
        currency: "USD",
      },
    });
  } else {
    telnyxError(
      request,
      404,
      "10005",
      "Resource not found",
      `No route for ${request.method} ${path}.`,
    );
  }
};
