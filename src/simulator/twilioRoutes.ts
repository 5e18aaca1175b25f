import type { RouteHandler, SimContext } from "./context.js";
import { deliveryOutcome } from "./delivery.js";
import { basicAuth, randomHex, type SimRequest, sendJson } from "./http.js";
import { ALPHANUMERIC_SENDER, E164, MAX_BODY_CHARS, scenarioFor } from "./reservedNumbers.js";
import { simulatedSegments } from "./segments.js";

const PREFIX = "/2010-04-01/Accounts/";

function rfc2822(date: Date): string {
  return date.toUTCString().replace("GMT", "+0000");
}

function twilioError(request: SimRequest, status: number, code: number, message: string) {
  sendJson(request.res, status, {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
}

function authenticated(request: SimRequest, context: SimContext): boolean {
  const account = context.accounts.twilio;
  const auth = basicAuth(request.headers.authorization);
  const ok =
    (auth?.user === account.accountSid && auth.pass === account.authToken) ||
    (auth?.user === account.apiKeySid && auth.pass === account.apiKeySecret);
  if (!ok) {
    request.res.setHeader("www-authenticate", 'Basic realm="Twilio API"');
    twilioError(request, 401, 20003, "Authenticate");
  }
  return ok;
}

function createMessage(request: SimRequest, context: SimContext, sid: string) {
  const account = context.accounts.twilio;
  const form = (request.body ?? {}) as Record<string, string | undefined>;
  const { To: to, From: from, Body: body } = form;
  if (!to) return twilioError(request, 400, 21604, "A 'To' phone number is required.");
  if (!from && !form.MessagingServiceSid) {
    return twilioError(request, 400, 21603, "A 'From' phone number is required.");
  }
  if (!body && !form.MediaUrl && !form.ContentSid) {
    return twilioError(request, 400, 21602, "Message body is required.");
  }
  const scenario = scenarioFor(to);
  if (!E164.test(to) || scenario === "invalid_recipient") {
    return twilioError(request, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
  }
  const service = form.MessagingServiceSid;
  if (service && !account.messagingServices.includes(service)) {
    return twilioError(request, 400, 21701, `The Messaging Service Sid ${service} is invalid.`);
  }
  if (
    from &&
    !(account.numbers as readonly string[]).includes(from) &&
    !(ALPHANUMERIC_SENDER.test(from) && !to.startsWith("+1"))
  ) {
    return twilioError(
      request,
      400,
      21606,
      `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
    );
  }
  if ((body ?? "").length > MAX_BODY_CHARS || scenario === "too_long") {
    return twilioError(
      request,
      400,
      21617,
      "The concatenated message body exceeds the 1600 character limit.",
    );
  }
  if (scenario === "opted_out") {
    return twilioError(request, 400, 21610, "Attempt to send to unsubscribed recipient");
  }
  if (scenario === "rate_limited") return twilioError(request, 429, 20429, "Too Many Requests");
  if (scenario === "server_error") {
    return twilioError(request, 500, 20500, "An internal server error has occurred");
  }
  if (scenario === "hang") return context.hang(request);

  const messageSid = `SM${randomHex(32)}`;
  const now = rfc2822(new Date());
  const uri = `${PREFIX}${sid}/Messages/${messageSid}.json`;
  const resource = {
    account_sid: sid,
    api_version: "2010-04-01",
    body: body ?? "",
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    // A Messaging Service picks a number from its pool.
    from: from ?? (service ? account.numbers[0] : null),
    messaging_service_sid: form.MessagingServiceSid ?? null,
    num_media: "0",
    num_segments: String(simulatedSegments(body ?? "").segments),
    price: null,
    price_unit: "USD",
    sid: messageSid,
    status: "queued",
    subresource_uris: { media: `${PREFIX}${sid}/Messages/${messageSid}/Media.json` },
    to,
    uri,
  };
  context.messages.push({ provider: "twilio", resource });
  context.took(
    request,
    "twilio",
    { id: messageSid, to, from: resource.from ?? "" },
    form.StatusCallback,
  );
  context.accepted(request, to, 201, resource);
}

/** Messages, newest first, filtered by To and From as Twilio's list does. */
function listMessages(request: SimRequest, context: SimContext, sid: string) {
  const to = request.query.get("To");
  const from = request.query.get("From");
  const pageSize = Math.min(Math.max(Number(request.query.get("PageSize") ?? 50) || 50, 1), 1000);
  const matching = context.messages
    .filter((m) => m.provider === "twilio")
    .map((m) => m.resource)
    .filter((m) => (!to || m.to === to) && (!from || m.from === from))
    .reverse()
    .slice(0, pageSize);
  const base = `${PREFIX}${sid}/Messages.json`;
  sendJson(request.res, 200, {
    end: matching.length - 1,
    first_page_uri: `${base}?PageSize=${pageSize}&Page=0`,
    messages: matching,
    next_page_uri: null,
    page: 0,
    page_size: pageSize,
    previous_page_uri: null,
    start: 0,
    uri: `${base}?PageSize=${pageSize}&Page=0`,
  });
}

/** One message, as Twilio's fetch shows it once its delivery has settled. */
function fetchMessage(request: SimRequest, context: SimContext, messageSid: string) {
  const found = context.messages.find(
    (m) => m.provider === "twilio" && m.resource.sid === messageSid,
  );
  if (!found) {
    return twilioError(request, 404, 20404, `The requested resource ${request.path} was not found`);
  }
  const outcome = deliveryOutcome("twilio", found.resource.to);
  sendJson(request.res, 200, {
    ...found.resource,
    status: outcome.status,
    error_code: outcome.errorCode === null ? null : Number(outcome.errorCode),
    error_message: outcome.title,
    date_sent: found.resource.date_created,
  });
}

function listNumbers(request: SimRequest, context: SimContext, sid: string) {
  const account = context.accounts.twilio;
  const all = [
    ...account.numbers.map((n) => ({ number: n, sms: true })),
    ...account.voiceOnlyNumbers.map((n) => ({ number: n, sms: false })),
  ];
  const pageSize = Math.min(Math.max(Number(request.query.get("PageSize") ?? 50) || 50, 1), 1000);
  const page = Math.max(Number(request.query.get("Page") ?? 0) || 0, 0);
  const slice = all.slice(page * pageSize, (page + 1) * pageSize);
  const base = `${PREFIX}${sid}/IncomingPhoneNumbers.json`;
  const hasNext = (page + 1) * pageSize < all.length;
  sendJson(request.res, 200, {
    end: page * pageSize + slice.length - 1,
    first_page_uri: `${base}?PageSize=${pageSize}&Page=0`,
    incoming_phone_numbers: slice.map(({ number, sms }, i) => ({
      account_sid: sid,
      api_version: "2010-04-01",
      capabilities: { voice: true, sms, mms: sms, fax: false },
      friendly_name: number,
      phone_number: number,
      sid: `PN${String(page * pageSize + i).padStart(32, "0")}`,
      status: "in-use",
      uri: `${PREFIX}${sid}/IncomingPhoneNumbers/PN${String(page * pageSize + i).padStart(32, "0")}.json`,
    })),
    next_page_uri: hasNext
      ? `${base}?PageSize=${pageSize}&Page=${page + 1}&PageToken=PA${randomHex(32)}`
      : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 ? `${base}?PageSize=${pageSize}&Page=${page - 1}` : null,
    start: page * pageSize,
    uri: `${base}?PageSize=${pageSize}&Page=${page}`,
  });
}

function fetchAccount(request: SimRequest, sid: string) {
  const now = rfc2822(new Date());
  sendJson(request.res, 200, {
    date_created: now,
    date_updated: now,
    friendly_name: "sms-mcp simulator",
    owner_account_sid: sid,
    sid,
    status: "active",
    subresource_uris: {},
    type: "Full",
    uri: `${PREFIX}${sid}.json`,
  });
}

export const twilioRoutes: RouteHandler = (request, context) => {
  if (!authenticated(request, context)) return;
  const rest = request.path.slice(PREFIX.length);
  const [sid, resource, item] = rest.split("/");
  const accountSid = sid?.replace(/\.json$/, "") ?? "";
  if (accountSid !== context.accounts.twilio.accountSid) {
    twilioError(request, 404, 20404, `The requested resource ${request.path} was not found`);
    return;
  }
  if (request.method === "POST" && resource === "Messages.json") {
    createMessage(request, context, accountSid);
  } else if (request.method === "GET" && resource === "Messages" && item?.endsWith(".json")) {
    fetchMessage(request, context, item.slice(0, -".json".length));
  } else if (request.method === "GET" && resource === "Messages.json") {
    listMessages(request, context, accountSid);
  } else if (request.method === "GET" && resource === "IncomingPhoneNumbers.json") {
    listNumbers(request, context, accountSid);
  } else if (request.method === "GET" && resource === undefined && sid?.endsWith(".json")) {
    fetchAccount(request, accountSid);
  } else {
    twilioError(request, 404, 20404, `The requested resource ${request.path} was not found`);
  }
};

/**
 * Twilio's Messaging API (messaging.twilio.com): the account's Messaging Services, and what is in
 * each one's sender pool (its phone numbers; short codes and alphanumeric senders: none).
 */
export const twilioMessagingRoutes: RouteHandler = (request, context) => {
  if (!authenticated(request, context)) return;
  const account = context.accounts.twilio;
  // "/v1/Services/<sid>/<senders>": the parts after the version.
  const [services, sid, senders, extra] = request.path.replace(/\/+$/, "").split("/").slice(2);
  const listed = [...account.messagingServices, ...(account.emptyMessagingServices ?? [])];
  const base = "https://messaging.twilio.com/v1/Services";
  if (request.method !== "GET" || services !== "Services" || extra !== undefined) {
    twilioError(request, 404, 20404, `The requested resource ${request.path} was not found`);
  } else if (sid === undefined) {
    sendServicePage(request, base, "services", listed, (service, i) => ({
      account_sid: account.accountSid,
      sid: service,
      friendly_name: `Simulated service ${i + 1}`,
      inbound_request_url: null,
      status_callback: null,
      use_inbound_webhook_on_number: false,
      url: `${base}/${service}`,
      links: {},
    }));
  } else if (!listed.includes(sid) || !(senders && Object.hasOwn(POOL_KEYS, senders))) {
    twilioError(request, 404, 20404, `The requested resource ${request.path} was not found`);
  } else {
    const numbers = senders === "PhoneNumbers" && account.messagingServices.includes(sid);
    sendServicePage(
      request,
      `${base}/${sid}/${senders}`,
      POOL_KEYS[senders as keyof typeof POOL_KEYS],
      numbers ? account.numbers : [],
      (number, i) => {
        const pn = `PN${String(i).padStart(32, "0")}`;
        return {
          sid: pn,
          account_sid: account.accountSid,
          service_sid: sid,
          phone_number: number,
          country_code: "US",
          capabilities: ["SMS", "MMS"],
          date_created: "2026-01-01T00:00:00Z",
          date_updated: "2026-01-01T00:00:00Z",
          url: `${base}/${sid}/PhoneNumbers/${pn}`,
        };
      },
    );
  }
};

/** The list key each sender-pool resource answers under. */
const POOL_KEYS = {
  PhoneNumbers: "phone_numbers",
  ShortCodes: "short_codes",
  AlphaSenders: "alpha_senders",
} as const;

/** One page of a Messaging API listing, `PageSize`/`Page` as the SDK asks, `meta` as Twilio answers. */
function sendServicePage<T>(
  request: SimRequest,
  url: string,
  key: string,
  all: readonly T[],
  render: (item: T, index: number) => object,
) {
  const pageSize = Math.min(Math.max(Number(request.query.get("PageSize") ?? 50) || 50, 1), 1000);
  const page = Math.max(Number(request.query.get("Page") ?? 0) || 0, 0);
  const slice = all.slice(page * pageSize, (page + 1) * pageSize);
  const pageUrl = (n: number) => `${url}?PageSize=${pageSize}&Page=${n}`;
  sendJson(request.res, 200, {
    [key]: slice.map((item, i) => render(item, page * pageSize + i)),
    meta: {
      page,
      page_size: pageSize,
      first_page_url: pageUrl(0),
      previous_page_url: page > 0 ? pageUrl(page - 1) : null,
      url: pageUrl(page),
      next_page_url: (page + 1) * pageSize < all.length ? pageUrl(page + 1) : null,
      key,
    },
  });
}
