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

/** Every link in `text` a phone would make tappable, with the hosts each could open. */
export function findLinks(text: string): FoundLink[] {
  // The foreign full stops are one UTF-16 unit, like `.`: offsets stay those of `text`.
  const scanned = text.replace(FOREIGN_DOTS, ".");
  const matches = linkify.match(scanned);
  if (!matches) return [];
  return matches.map((match) => {
    const email = match.schema === "mailto:";
    if (email) {
      return { start: match.index, end: match.lastIndex, email, hosts: emailHost(match.url) };
    }
    const hosts = new Set<string>();
    const matched = hostOf(absolute(match.url));
    if (matched) hosts.add(matched);
    // The run up to the next space is what a browser would be handed if the phone's linkifier
    // is more generous than this one (user info, percent-encoded dots).
    const run = /^\S+/.exec(scanned.slice(match.index))?.[0];
    const opened = run ? hostOf(absolute(run)) : undefined;
    if (opened) hosts.add(opened);
    return { start: match.index, end: match.lastIndex, email, hosts: [...hosts] };
  });
}
