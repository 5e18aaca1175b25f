import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { LinkifyIt } from "linkify-it";
import ianaTlds from "tlds/index.json" with { type: "json" };
import { hostOf } from "./hosts.js";

/** A link in a text, where a phone would make one, and every host tapping it could open. */
export interface FoundLink {
  /** UTF-16 offsets of the link in the text. */
  start: number;
  end: number;
  /** An email address (a phone opens the mail app), rather than a web address. */
  email: boolean;
  /**
   * Lower-case ASCII (punycode) hosts without a trailing dot; an IP address as written by the
   * URL parser. A web link may have two: what the linkifier matched, and what the whole
   * unbroken run opens (`https://pay.example.com@evil.com` opens evil.com). Empty when no host
   * could be read, which no allowed-domain list accepts.
   */
  hosts: string[];
}

// Names that are not in the root zone but that a careless or hostile text may still use, and
// which some phones link all the same: counted as links, so an allow list judges them.
const RESERVED_TLDS = ["example", "test", "invalid", "localhost", "local", "onion", "internal"];

/**
 * linkify-it finds links the way a phone does: schemes in any case, bare domains on the full
 * IANA list (its README's recipe, with the `tlds` package), IP addresses, Unicode and
 * punycode hosts, emails, and user info (`https://a@b`).
 */
const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true, urlAuth: true })
  .tlds(ianaTlds)
  .tlds(RESERVED_TLDS, true);

/** Full stops that a URL parser reads as `.` (ideographic, full-width, half-width). */
const FOREIGN_DOTS = /[\u3002\uff0e\uff61]/g;

/** Every top-level domain a host may end in, as the URL parser writes it (punycode). */
const KNOWN_TLDS = new Set([...ianaTlds, ...RESERVED_TLDS].map((tld) => domainToASCII(tld)));

/**
 * Runs of what a host name is made of. linkify-it wants a link to stand apart from the words
 * around it (it skips `evil.com:8080/pay`, `Tap:www.evil.com`, `evil.com👈`), and phones are
 * less particular, so every such run that ends in a known TLD is a link too. One character
 * class and no nesting: linear in the text.
 */
const HOST_LIKE_RUN = /[\p{L}\p{N}\p{M}.-]+/gu;

/** The text from a given offset up to the next space (sticky: it matches there or not at all). */
const UNBROKEN_RUN = /\S+/y;

/** Punctuation a sentence puts after a link, which is not part of what a tap opens. */
const TRAILING_PUNCTUATION = ".,;:!?'\"’”)]}>|";

/**
 * `text` without the characters of `set` at its ends. A loop, not `/[…]+$/`: that regex retries
 * from every position of a long run of them, quadratic in a hostile text.
 */
function trimmed(text: string, set: string, fromStart = false): string {
  let start = 0;
  let end = text.length;
  while (end > start && set.includes(text[end - 1] as string)) end--;
  while (fromStart && start < end && set.includes(text[start] as string)) start++;
  return text.slice(start, end);
}

/** The web address a link text opens: a scheme-less one opens over http, like a phone's. */
function absolute(text: string): string {
  if (text.startsWith("//")) return `http:${text}`;
  return /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `http://${text}`;
}

function emailHost(address: string): string[] {
  const domain = address.replace(/^mailto:/i, "").split("?")[0] ?? "";
  const host = hostOf(`http://${domain.slice(domain.lastIndexOf("@") + 1)}`);
  return host ? [host] : [];
}

/**
 * The host a browser handed the whole unbroken run from a link's start would open, when that
 * can differ from the linkifier's: user info (`https://pay.example.com(@evil.com`), percent
 * escapes (`https://evil%2Ecom`) or backslashes in the authority. Null when the run cannot be
 * read at all (refused, as no one can say where it goes); undefined when it says nothing new.
 */
function hostOfRun(run: string): string | null | undefined {
  const link = trimmed(run, TRAILING_PUNCTUATION);
  const authority = link.replace(/^[a-z][a-z0-9+.-]*:/i, "").replace(/^[/\\]+/, "");
  const end = authority.search(/[/?#]/);
  if (!/[@%\\]/.test(end === -1 ? authority : authority.slice(0, end))) return undefined;
  return hostOf(absolute(link)) ?? null;
}

/** A run of host characters that a phone could take for a host: known TLD, no empty label. */
function hostOfBareRun(run: string): string | undefined {
  const name = trimmed(run, ".-", true);
  if (!name.includes(".") || name.includes("..")) return undefined;
  // Only a dotted quad is an address: the URL parser would also read a price (`12.50`) as one.
  if (/^[\d.]+$/.test(name)) return isIP(name) === 4 ? name : undefined;
  const host = hostOf(`http://${name}`);
  if (host === undefined) return undefined;
  const tld = host.slice(host.lastIndexOf(".") + 1);
  return KNOWN_TLDS.has(tld) ? host : undefined;
}

/** Every link in `text` a phone would make tappable, with the hosts each could open. */
export function findLinks(text: string): FoundLink[] {
  // The foreign full stops are one UTF-16 unit, like `.`: offsets stay those of `text`.
  const scanned = text.replace(FOREIGN_DOTS, ".");
  const links = (linkify.match(scanned) ?? []).map((match): FoundLink => {
    const email = match.schema === "mailto:";
    if (email) {
      return { start: match.index, end: match.lastIndex, email, hosts: emailHost(match.url) };
    }
    UNBROKEN_RUN.lastIndex = match.index;
    const run = UNBROKEN_RUN.exec(scanned)?.[0] ?? "";
    const opened = hostOfRun(run);
    const matched = hostOf(absolute(match.url));
    const hosts =
      opened === null ? [] : [...new Set([matched, opened])].filter((h) => h !== undefined);
    return { start: match.index, end: match.lastIndex, email, hosts };
  });
  const linked = links.slice();
  for (const run of scanned.matchAll(HOST_LIKE_RUN)) {
    const start = run.index;
    const end = start + run[0].length;
    if (linked.some((link) => start < link.end && link.start < end)) continue;
    const host = hostOfBareRun(run[0]);
    if (host !== undefined) links.push({ start, end, email: false, hosts: [host] });
  }
  return links.sort((a, b) => a.start - b.start);
}
