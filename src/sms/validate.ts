import type { z } from "zod";
import { sha256 } from "../util/hash.js";
import { SmsError } from "./errors.js";
import type { NumberFacts } from "./guardrails/rules.js";
import { type FoundLink, findLinks } from "./links.js";
import { checkE164 } from "./phone.js";
import { quote } from "./quote.js";
import { type Sender, senderKindOf } from "./sender.js";
import type { SendIdentity } from "./sendIdentity.js";
import { MAX_MESSAGE_CHARS, sendSmsArgumentsSchema } from "./sendSmsArguments.js";

// Loaded with validation (one lazy import of the number metadata), for the policy step.
export { callingCodesOf } from "./phone.js";

export interface ValidSend {
  to: string;
  /** The sender as given (E.164, `MG…`, a Powerpack UUID, an alphanumeric ID). */
  from: string;
  sender: Sender;
  body: string;
  /** Hex SHA-256 of the body: the duplicate key and the audit log use it, never the body. */
  bodySha256: string;
  toFacts: NumberFacts;
  /** The connection's configured default sender: the policy's home country, whatever from_ is. */
  defaultFromFacts: NumberFacts | undefined;
  /** The links a phone would make of the body (one finder for notes, policy and templates). */
  links: FoundLink[];
}

const ARGUMENT_NAMES = new Set(["to_", "message", "from_"]);

/** Only spaces, controls, format characters (direction marks, joiners) and other invisibles. */
const NOTHING_TO_READ = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}]*$/u;
/** With the u flag a well-formed pair is one code point, so this matches only a lone half. */
const LONE_SURROGATE = /\p{Cs}/u;

function unexpected(keys: string[]): string {
  return `unexpected argument ${keys.map((k) => quote(k)).join(", ")}; send_sms takes only to_, message and from_`;
}

function invalid(reason: string, category: SmsError["category"] = "invalid_input"): SmsError {
  return new SmsError({ category, reason, retryable: false });
}

function describeShapeProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "the arguments are not valid";
  if (issue.code === "unrecognized_keys") return unexpected(issue.keys);
  const field = issue.path.join(".") || "arguments";
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return `the ${field} argument is missing`;
  }
  if (issue.code === "invalid_type") {
    return `the ${field} argument must be a ${issue.expected}, not ${issue.input === null ? "null" : typeof issue.input}`;
  }
  return `the ${field} argument is not valid`;
}

function defaultFromFacts(
  defaultFrom: string | undefined,
  used: { sender: Sender; facts?: NumberFacts | undefined },
): NumberFacts | undefined {
  if (defaultFrom === undefined) return undefined;
  if (defaultFrom === used.sender.value && used.facts) return used.facts;
  if (defaultFrom.startsWith("+")) {
    const checked = checkE164(defaultFrom, "sender");
    return checked.ok ? checked : undefined;
  }
  return undefined;
}

/** The calling code of the connection's default sender, when it is a phone number. */
function homeCallingCodeOf({ defaultFrom }: SendIdentity): string | undefined {
  if (!defaultFrom?.startsWith("+")) return undefined;
  const checked = checkE164(defaultFrom, "sender");
  return checked.ok ? checked.callingCode : undefined;
}

/** The sender a call uses, checked against what the connection lists. */
function chooseSender(
  fromArgument: string | undefined,
  { provider, defaultFrom, senders }: SendIdentity,
): { sender: Sender; facts?: NumberFacts | undefined } {
  // Form-based clients (the MCP Inspector among them) send an untouched optional field as "".
  const given = fromArgument?.trim() ? fromArgument.trim() : undefined;
  const value = given ?? defaultFrom;
  if (value === undefined) {
    throw invalid(
      "no sending number: pass from_ or set a default sender on the connection",
      "invalid_sender",
    );
  }
  const kind = senderKindOf(value, provider);
  const listed = value === defaultFrom || (senders?.includes(value) ?? false);
  if (given !== undefined && !listed && (kind !== "number" || senders !== undefined)) {
    const choices = [defaultFrom, ...(senders ?? [])].filter((s) => s !== undefined);
    throw invalid(
      `${quote(given)} is not one of this connection's senders${choices.length ? ` (${choices.join(", ")})` : ""}; leave from_ out to send from the default`,
      "invalid_sender",
    );
  }
  if (kind !== "number") return { sender: { kind, value } };
  const from = checkE164(value, "sender");
  if (!from.ok) throw invalid(from.reason, "invalid_sender");
  return { sender: { kind, value: from.e164 }, facts: from };
}

/**
 * The gate in front of every provider: nothing that fails here is ever sent.
 * Throws SmsError with a sentence the model can act on.
 */
export function validateSend(args: unknown, connection: SendIdentity): ValidSend {
  if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
    const given = Array.isArray(args) ? "an array" : `a ${typeof args}`;
    throw invalid(`the arguments must be an object with to_ and message, not ${given}`);
  }
  // Own keys, checked before any parser sees them: `__proto__` or `constructor` from JSON are
  // extra fields like any other.
  if (typeof args === "object" && args !== null) {
    const extra = Object.keys(args).filter((key) => !ARGUMENT_NAMES.has(key));
    if (extra.length > 0) throw invalid(unexpected(extra));
  }
  const parsed = sendSmsArgumentsSchema.safeParse(args ?? {});
  if (!parsed.success) {
    // reportInput slows every parse, even a successful one, and only explains: a second pass.
    const explained = sendSmsArgumentsSchema.safeParse(args ?? {}, { reportInput: true });
    throw invalid(
      explained.success ? "the arguments are not valid" : describeShapeProblem(explained.error),
    );
  }
  const { to_, message, from_ } = parsed.data;

  const to = checkE164(to_, "recipient", homeCallingCodeOf(connection));
  if (!to.ok) throw invalid(to.reason, "invalid_recipient");

  const chosen = chooseSender(from_, connection);
  if (chosen.sender.kind === "alphanumeric" && to.callingCode === "1") {
    throw invalid(
      `US and Canadian carriers do not deliver texts from an alphanumeric sender ID ("${chosen.sender.value}"); send to +1 numbers from a phone number or messaging service`,
      "invalid_sender",
    );
  }

  if (message === "") throw invalid("the message is empty; write the text to send");
  if (NOTHING_TO_READ.test(message)) {
    throw invalid(
      "the message is empty: it has only spaces or invisible characters; write the text to send",
    );
  }
  if (LONE_SURROGATE.test(message)) {
    throw invalid(
      "the message contains a broken character (half of a UTF-16 surrogate pair); send the text again as plain Unicode",
    );
  }
  // Characters are code points; a text short in UTF-16 units is short in code points too.
  const length = message.length > MAX_MESSAGE_CHARS ? Array.from(message).length : message.length;
  if (length > MAX_MESSAGE_CHARS) {
    throw invalid(
      `the message is ${length} characters long, over the ${MAX_MESSAGE_CHARS}-character limit for a text message; shorten it`,
      "too_long",
    );
  }
  return {
    to: to.e164,
    from: chosen.sender.value,
    sender: chosen.sender,
    body: message,
    bodySha256: sha256(message),
    toFacts: to,
    defaultFromFacts: defaultFromFacts(connection.defaultFrom, chosen),
    links: findLinks(message),
  };
}
