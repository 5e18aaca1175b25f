import { SmsError } from "./errors.js";
import { type QuietHours, quietHoursRule } from "./guardrails/quietHours.js";
import {
  allowListRule,
  countryRule,
  denyListRule,
  emergencyRule,
  firstRefusal,
  numberTypeRule,
  type Refusal,
  type RuleDecision,
  segmentRule,
} from "./guardrails/rules.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import {
  type CompiledTemplate,
  firstMatchingTemplate,
  PLACEHOLDER_KINDS,
  scanMessage,
} from "./guardrails/templates.js";
import { isAllowedHost } from "./hosts.js";
import type { FoundLink } from "./links.js";
import type { SegmentInfo } from "./segments.js";
import type { ValidSend } from "./validate.js";

/** What the policy learned of a send it allows. */
export interface PolicyVerdict {
  /** The name of the first template the message matches, if any. */
  template: string | undefined;
}

/**
 * The connection's recipient, length and content policy for one send: throws the first
 * refusal. Rules that can never be relaxed come first, so the reason given is the real one.
 * Quiet hours are separate ({@link checkQuietHours}): they need the number's time zones.
 */
export function checkPolicy(
  guardrails: GuardrailSettings,
  templates: readonly CompiledTemplate[],
  send: ValidSend,
  { segments, encoding }: SegmentInfo,
  callingCodesOf: (countries: readonly string[]) => readonly string[],
): PolicyVerdict {
  const { toFacts: to, defaultFromFacts: home } = send;
  const configured = guardrails.allowedCountries;
  // By default: the configured default sender's country (or its calling code when its range
  // is unknown), never the from_ of the call: a caller cannot widen the policy.
  const countries = configured ?? (home?.country ? [home.country] : []);
  const callingCodes =
    configured === undefined && home && !home.country
      ? [home.callingCode]
      : countries === "*"
        ? []
        : callingCodesOf(countries);
  // A number the owner listed explicitly is allowed whatever its country or type.
  const listed = guardrails.allowList.includes(to.e164);
  const decision = firstRefusal([
    () => emergencyRule(to),
    () => denyListRule(to, guardrails.denyList),
    () => allowListRule(to, guardrails.allowList),
    () =>
      listed
        ? { allowed: true }
        : configured === undefined && !home
          ? noHomeCountry()
          : countryRule(to, countries, callingCodes),
    () => (listed ? { allowed: true } : numberTypeRule(to, guardrails.blockNonMobileTypes)),
    () => segmentRule(segments, encoding, guardrails.maxSegments),
    () => linkRule(send.links, guardrails.allowedLinkDomains),
  ]);
  if (!decision.allowed) throw refusal(decision);
  const template =
    templates.length > 0
      ? firstMatchingTemplate(templates, scanMessage(send.body, send.links))
      : undefined;
  if (guardrails.templatesOnly && !template) throw refusal(templateMismatch(templates));
  return { template: template?.name };
}

/** Quiet hours in the recipient's local time: throws when it is night where they are. */
export function checkQuietHours(
  window: QuietHours,
  to: string,
  zones: readonly string[],
  now: number,
): void {
  const decision = quietHoursRule(to, zones, window, now);
  if (!decision.allowed) throw refusal(decision);
}

function refusal(decision: Refusal): SmsError {
  return new SmsError({
    category: decision.category,
    reason: decision.reason,
    retryable: decision.retryable,
    retryAfterSeconds: decision.retryAfterSeconds,
    rule: decision.rule,
  });
}

/** Every link's every host on the owner's list, when there is one. */
function linkRule(
  links: readonly FoundLink[],
  allowed: readonly string[] | undefined,
): RuleDecision {
  if (allowed === undefined) return { allowed: true };
  for (const link of links) {
    const refused =
      link.hosts.length === 0 ? "" : link.hosts.find((h) => !isAllowedHost(h, allowed));
    if (refused === undefined) continue;
    const what = link.email ? "an email address at" : "a link to";
    const host = refused === "" ? "a host that cannot be read" : refused;
    return {
      allowed: false,
      rule: "allowedLinkDomains",
      category: "link_not_allowed",
      retryable: false,
      reason:
        allowed.length === 0
          ? `the text has ${what} ${host}, and this connection sends no links; send it without the link`
          : `the text has ${what} ${host}, which is not on this connection's link domains (${allowed.join(", ")}); use a link on those hosts, written out in full (no shortener), or leave it out`,
    };
  }
  return { allowed: true };
}

/** The refusal of a text that is none of the templates: it shows them, so the model can retry. */
function templateMismatch(templates: readonly CompiledTemplate[]): Refusal {
  if (templates.length === 0) {
    return {
      allowed: false,
      rule: "templatesOnly",
      category: "template_mismatch",
      retryable: false,
      reason:
        "this connection sends only templated texts and has no templates; the account owner must add templates or turn templatesOnly off",
    };
  }
  const listed = templates.map((t) => `${t.name}: "${t.text}"`).join("; ");
  const shown = listed.length <= 600 ? listed : templates.map((t) => t.name).join(", ");
  const kinds = `{name} is ${PLACEHOLDER_KINDS.text}, {name:digits} ${PLACEHOLDER_KINDS.digits}, {name:link} ${PLACEHOLDER_KINDS.link}`;
  return {
    allowed: false,
    rule: "templatesOnly",
    category: "template_mismatch",
    retryable: true,
    reason: `the text matches none of this connection's templates, and it sends only those (${shown}); write it as one of them exactly, filling each placeholder (${kinds})`,
  };
}

/** Without a default sender there is no home country to default to: the owner must say. */
function noHomeCountry(): RuleDecision {
  return {
    allowed: false,
    rule: "allowedCountries",
    category: "not_allowed",
    reason:
      "this connection's default sender is not set or is not a phone number (a messaging service, a Powerpack, an alphanumeric ID), so it gives no country to allow; the account owner must set allowedCountries",
    retryable: false,
  };
}
