/**
 * Domain names an operator types for a production resource: checked against RFC 1123 host names
 * (letters, digits and hyphens per label, 63 bytes per label, 253 in all), internationalised
 * names turned into their punycode (A-label) form, and everything that is not a bare host name
 * (a scheme, a path, a port, a wildcard, an IP address) refused with the reason. The conversion
 * uses the WHATWG URL parser's domain-to-ASCII (the same algorithm as Node's `url.domainToASCII`),
 * which exists in Node and in the browser alike, so the wizard and the engine agree.
 */

/** A domain that passed validation: its ASCII form and the https address it is served at. */
export interface ValidDomain {
  ok: true;
  /** Lower-case ASCII (punycode for international names), no trailing dot. */
  domain: string;
  /** `https://<domain>` — what the migration page links to. */
  url: string;
  /** The name as typed, when it differed from the ASCII form only by being international. */
  unicode?: string;
}

/** A domain that did not pass, with the reason in the operator's words. */
export interface InvalidDomain {
  ok: false;
  reason: string;
}

/** The result of validating a typed domain. */
export type DomainCheck = ValidDomain | InvalidDomain;

const MAX_DOMAIN = 253;
const MAX_LABEL = 63;
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function refuse(reason: string): InvalidDomain {
  return { ok: false, reason };
}

/** Converts a host name to ASCII (punycode) the way URLs do; null when it cannot be a host name. */
export function domainToAscii(name: string): string | null {
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return null;
  }
}

/** Validates and normalises a domain typed by the operator. */
export function validateDomain(raw: string): DomainCheck {
  const typed = raw.trim();
  if (typed === '') return refuse('Enter a domain such as "shop.example.com".');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(typed)) return refuse(`Leave out the scheme ("${typed.slice(0, typed.indexOf('://') + 3)}"): enter only the domain; Gantry serves it over https.`);
  if (/\s/.test(typed)) return refuse('A domain cannot contain spaces.');
  if (typed.includes('*')) return refuse('Wildcard domains are not supported: enter one domain such as "shop.example.com".');
  if (/[/?#]/.test(typed)) return refuse('Leave out the path: enter only the domain (the whole domain is routed to the resource).');
  if (typed.includes('@')) return refuse('A domain cannot contain "@" (no user name).');
  if (/:\d*$/.test(typed)) return refuse('Leave out the port: the proxy serves the domain on 443 (https) and 80.');
  if (typed.includes(':') || /^\[/.test(typed)) return refuse('An IP address is not a domain: enter a name that resolves to the server.');
  const withoutDot = typed.endsWith('.') ? typed.slice(0, -1) : typed;
  if (withoutDot.split('.').some((label) => label === '')) return refuse('A domain cannot have an empty label (two dots in a row, or a leading dot).');
  const last = withoutDot.slice(withoutDot.lastIndexOf('.') + 1);
  if (/^\d+(\.\d+){3}$/.test(withoutDot)) return refuse('An IP address is not a domain: enter a name that resolves to the server.');
  if (withoutDot.includes('.') && /^(\d+|0x[0-9a-f]*)$/i.test(last)) return refuse(`The last label "${last}" is all digits; a top-level domain has letters.`);
  const ascii = domainToAscii(withoutDot);
  if (ascii === null || ascii === '') return refuse(`"${typed}" is not a valid domain name (an international name that cannot be converted to punycode, or a character a host name cannot have).`);
  if (ascii.length > MAX_DOMAIN) return refuse(`The domain is ${ascii.length} characters long${ascii !== withoutDot.toLowerCase() ? ' in its punycode form' : ''}; at most ${MAX_DOMAIN} are allowed.`);
  const labels = ascii.split('.');
  if (labels.length < 2) return refuse(`"${typed}" has no dot: enter a full domain such as "${ascii}.example.com".`);
  for (const label of labels) {
    if (label.length > MAX_LABEL) return refuse(`The label "${label.slice(0, 20)}…" is ${label.length} characters long; each part between dots may have at most ${MAX_LABEL}.`);
    if (!LABEL.test(label)) {
      if (label.startsWith('-') || label.endsWith('-')) return refuse(`The label "${label}" starts or ends with a hyphen, which a host name cannot.`);
      return refuse(`The label "${label}" has a character a host name cannot have (only letters, digits and hyphens; no underscores).`);
    }
  }
  const international = ascii !== withoutDot.toLowerCase();
  return { ok: true, domain: ascii, url: `https://${ascii}`, ...(international ? { unicode: withoutDot } : {}) };
}

/** A subdomain of an environment's base domain (`shop` + `prod.example.com`), validated as a whole. */
export function subdomainOf(label: string, baseDomain: string): DomainCheck {
  if (baseDomain.trim() === '') return refuse('This environment has no base domain: enter a full custom domain, or set the base domain under Environments.');
  return validateDomain(`${label.trim()}.${baseDomain.trim()}`);
}
