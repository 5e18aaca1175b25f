import { randomUUID } from "node:crypto";
import type { RouteHandler, SimContext } from "./context.js";
import { deliveryOutcome } from "./delivery.js";
import { basicAuth, type SimRequest, sendJson } from "./http.js";
import { ALPHANUMERIC_SENDER, E164, MAX_BODY_CHARS, scenarioFor } from "./reservedNumbers.js";

const PREFIX = "/v1/Account/";

function plivoError(request: SimRequest, status: number, error: string) {
  sendJson(request.res, status, { api_id: randomUUID(), error });
}

const digits = (n: string) => n.replace(/^\+/, "");

function sendMessage(request: SimRequest, context: SimContext) {
  const account = context.accounts.plivo;
  const owned = account.numbers.map(digits);
  const body = (request.body ?? {}) as Record<string, unknown>;
  const { dst, text, powerpack_uuid: powerpack } = body;
  if (typeof dst !== "string" || dst === "") return plivoError(request, 400, "dst is required");
  if (body.src !== undefined && powerpack !== undefined) {
    return plivoError(request, 400, "Either of src or powerpack uuid, both of them are present");
  }
  if (powerpack !== undefined && !account.powerpacks.includes(String(powerpack))) {
    return plivoError(request, 400, `invalid powerpack_uuid: ${String(powerpack)}`);
  }
  // A Powerpack picks a number from its pool.
  const src = powerpack !== undefined ? account.numbers[0] : body.src;
  if (typeof src !== "string" || src === "") return plivoError(request, 400, "src is required");
  if (typeof text !== "string" || text === "") return plivoError(request, 400, "text is required");
  const to = dst.startsWith("+") ? dst : `+${dst}`;
  const scenario = scenarioFor(to);
  if (!E164.test(to) || scenario === "invalid_recipient") {
    return plivoError(
      request,
      400,
      `invalid dst parameter: ${dst} is not a valid destination number`,
    );
  }
  if (!owned.includes(digits(src)) && !(ALPHANUMERIC_SENDER.test(src) && !to.startsWith("+1"))) {
    return plivoError(
      request,
      400,
      `invalid src parameter: ${src} is not a number on this account`,
    );
  }
  if (text.length > MAX_BODY_CHARS || scenario === "too_long") {
    return plivoError(request, 400, "text exceeds the maximum length of 1600 characters");
  }
  if (scenario === "opted_out") {
    return plivoError(request, 400, "message blocked: the recipient has opted out (replied STOP)");
  }
  if (scenario === "rate_limited") return plivoError(request, 429, "too many requests");
  if (scenario === "server_error") return plivoError(request, 500, "internal server error");
  if (scenario === "hang") return context.hang(request);
  const messageUuid = randomUUID();
  context.messages.push({
    provider: "plivo",
    resource: { message_uuid: messageUuid, to_number: digits(to), from_number: digits(src), text },
  });
  context.took(request, "plivo", { id: messageUuid, to, from: src }, body.url);
  context.accepted(request, to, 202, {
    api_id: randomUUID(),
    message: "message(s) queued",
    message_uuid: [messageUuid],
  });
}

/** One message, as Plivo's Message get shows it once its delivery has settled. */
function getMessage(request: SimRequest, context: SimContext, messageUuid: string) {
  const found = context.messages.find(
    (m) => m.provider === "plivo" && m.resource.message_uuid === messageUuid,
  );
  if (!found) return plivoError(request, 404, "not found");
  const outcome = deliveryOutcome("plivo", `+${found.resource.to_number}`);
  sendJson(request.res, 200, {
    api_id: randomUUID(),
    error_code: outcome.errorCode ?? "000",
    from_number: found.resource.from_number,
    message_direction: "outbound",
    message_state: outcome.status,
    message_type: "sms",
    message_uuid: messageUuid,
    to_number: found.resource.to_number,
    units: 1,
  });
}

function listNumbers(request: SimRequest, context: SimContext, authId: string) {
  const { numbers, voiceOnlyNumbers } = context.accounts.plivo;
  const smsOnly = request.query.get("services") === "sms";
  const all = [
    ...numbers.map((n) => ({ n, sms: true })),
    ...(smsOnly ? [] : voiceOnlyNumbers.map((n) => ({ n, sms: false }))),
  ];
  const base = `${PREFIX}${authId}/Number/`;
  sendPage(request, base, all, ({ n, sms }) => ({
    number: digits(n),
    alias: null,
    number_type: "local",
    sms_enabled: sms,
    mms_enabled: sms,
    voice_enabled: true,
    country: "United States",
    resource_uri: `${base}${digits(n)}/`,
  }));
}

/** One page of a Plivo listing: at most 20 objects from `offset`, `meta.next` while more are left. */
function sendPage<T>(
  request: SimRequest,
  base: string,
  all: readonly T[],
  render: (item: T, index: number) => object,
) {
  const limit = Math.min(Math.max(Number(request.query.get("limit") ?? 20) || 20, 1), 20);
  const offset = Math.max(Number(request.query.get("offset") ?? 0) || 0, 0);
  sendJson(request.res, 200, {
    api_id: randomUUID(),
    meta: {
      limit,
      next: offset + limit < all.length ? `${base}?limit=${limit}&offset=${offset + limit}` : null,
      offset,
      previous: offset > 0 ? `${base}?limit=${limit}&offset=${Math.max(offset - limit, 0)}` : null,
      total_count: all.length,
    },
    objects: all.slice(offset, offset + limit).map((item, i) => render(item, offset + i)),
  });
}

/** Powerpacks: the listing, or one by its UUID (its number pool has the same UUID here). */
function powerpacks(request: SimRequest, context: SimContext, authId: string, uuid?: string) {
  const { powerpacks: usable, emptyPowerpacks = [] } = context.accounts.plivo;
  const listed = [...usable, ...emptyPowerpacks];
  const base = `${PREFIX}${authId}/Powerpack/`;
  const render = (id: string, i: number) => ({
    uuid: id,
    name: `Simulated powerpack ${i + 1}`,
    sticky_sender: true,
    local_connect: true,
    application_type: "",
    application_id: "",
    number_pool: `${PREFIX}${authId}/NumberPool/${id}/`,
  });
  if (!uuid) return sendPage(request, base, listed, render);
  const index = listed.indexOf(uuid);
  if (index < 0) return plivoError(request, 404, "Powerpack not found");
  sendJson(request.res, 200, { api_id: randomUUID(), ...render(uuid, index) });
}

/** What a Powerpack's number pool holds: the account's numbers, or nothing for an empty one. */
function numberPool(
  request: SimRequest,
  context: SimContext,
  authId: string,
  uuid: string,
  kind: string | undefined,
) {
  const { powerpacks: usable, emptyPowerpacks = [], numbers } = context.accounts.plivo;
  if (!usable.includes(uuid) && !emptyPowerpacks.includes(uuid)) {
    return plivoError(request, 404, "Number pool not found");
  }
  if (kind !== "Number" && kind !== "Shortcode" && kind !== "Tollfree") {
    return plivoError(request, 404, "not found");
  }
  const held = kind === "Number" && usable.includes(uuid) ? numbers : [];
  sendPage(request, `${PREFIX}${authId}/NumberPool/${uuid}/${kind}/`, held, (n) => ({
    number: digits(n),
    account_phone_number_resource: `${PREFIX}${authId}/Number/${digits(n)}/`,
    added_on: "2026-01-01",
    country_iso2: "US",
    number_pool_uuid: uuid,
    type: "fixed",
    service: "sms",
  }));
}

function getAccount(request: SimRequest, authId: string) {
  sendJson(request.res, 200, {
    account_type: "standard",
    api_id: randomUUID(),
    auth_id: authId,
    auto_recharge: false,
    billing_mode: "prepaid",
    cash_credits: "10.00000",
    name: "sms-mcp simulator",
    resource_uri: `${PREFIX}${authId}/`,
    timezone: "America/Los_Angeles",
  });
}

export const plivoRoutes: RouteHandler = (request, context) => {
  const account = context.accounts.plivo;
  const auth = basicAuth(request.headers.authorization);
  if (auth?.user !== account.authId || auth.pass !== account.authToken) {
    plivoError(request, 401, "authentication failed");
    return;
  }
  // The SDK's account fetch asks for a double slash: normalise before routing.
  const [authId, resource, extra, pool] = request.path
    .slice(PREFIX.length)
    .replace(/\/+/g, "/")
    .split("/");
  if (authId !== account.authId) {
    plivoError(request, 404, "not found");
  } else if (request.method === "POST" && resource === "Message" && !extra) {
    sendMessage(request, context);
  } else if (request.method === "GET" && resource === "Message" && extra) {
    getMessage(request, context, extra);
  } else if (request.method === "GET" && resource === "Powerpack") {
    powerpacks(request, context, authId, extra);
  } else if (request.method === "GET" && resource === "NumberPool" && extra) {
    numberPool(request, context, authId, extra, pool);
  } else if (request.method === "GET" && resource === "Number" && !extra) {
    listNumbers(request, context, authId);
  } else if (request.method === "GET" && !resource) {
    getAccount(request, authId);
  } else {
    plivoError(request, 404, "not found");
  }
};
