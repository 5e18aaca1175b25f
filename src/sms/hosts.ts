import { isIP } from "node:net";

// No linkifier here: the settings load this at start-up to check the allowed link domains.

/** A host as the WHATWG URL parser reads it, or undefined. */
export function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host.replace(/\.$/, "") || undefined;
  } catch {
    return undefined;
  }
}

/** Whether `host` is one of `domains` or under one of them; an IP address never is. */
export function isAllowedHost(host: string, domains: readonly string[]): boolean {
  if (isIP(host.replace(/^\[|\]$/g, "")) !== 0) return false;
  return domains.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/** A DNS label in ASCII: letters, digits and inner hyphens, 1 to 63 long. */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A link domain as the owner wrote it, in the form hosts are compared in (lower-case ASCII,
 * no trailing dot), or undefined when it is not a host name: a URL, a path, an IP address, a
 * wildcard (`*.example.com`; `example.com` already covers its subdomains), an empty label.
 */
export function linkDomainOf(written: string): string | undefined {
  const trimmed = written.trim();
  if (!/^[^\s/:?#@[\]\\]+$/.test(trimmed) || trimmed.startsWith(".")) return undefined;
  const host = hostOf(`http://${trimmed}`);
  if (host === undefined || isIP(host) !== 0) return undefined;
  const labels = host.split(".");
  return labels.length >= 2 && labels.every((label) => LDH_LABEL.test(label)) ? host : undefined;
}
