/**
 * Whether the certificate a domain serves is the one its proxy should have got from its ACME
 * issuer: it must name the domain, be in date, not be self-signed, and not be one of the
 * placeholders a proxy serves when issuance failed (Traefik's default certificate, Caddy's
 * internal CA) — the known silent failure, where https "works" with a certificate nobody trusts.
 */

/** What was read of the served certificate (leaf first). */
export interface ServedCertificate {
  subject: string;
  issuer: string;
  /** The names the certificate covers (subjectAltName DNS entries, lower case). */
  names: string[];
  notBefore: string;
  notAfter: string;
  /** The leaf is signed by its own key. */
  selfSigned: boolean;
  /** The leaf is signed by the next certificate the server sent (null when it sent none). */
  chainVerifies: boolean | null;
}

/** The verdict on a served certificate. */
export type CertificateVerdict = { ok: true; summary: string } | { ok: false; reason: string };

const PLACEHOLDER_ISSUERS: { pattern: RegExp; what: string }[] = [
  { pattern: /TRAEFIK DEFAULT CERT/i, what: "Traefik's default certificate (it got none from its resolver)" },
  { pattern: /Caddy Local Authority/i, what: "a certificate from Caddy's internal CA, not from an ACME issuer" },
];

function coversName(names: readonly string[], domain: string): boolean {
  return names.some((name) => name === domain || (name.startsWith('*.') && domain.endsWith(name.slice(1)) && domain.split('.').length === name.split('.').length));
}

/** The common name in an X.509 distinguished name, or the whole name. */
export function commonNameOf(distinguished: string): string {
  return /(?:^|\n|,\s*)CN=([^\n,]+)/.exec(distinguished)?.[1]?.trim() ?? distinguished.trim();
}

/** Judges a served certificate for `domain` at time `now`. */
export function judgeCertificate(domain: string, cert: ServedCertificate, now: Date): CertificateVerdict {
  const issuer = commonNameOf(cert.issuer);
  const placeholder = PLACEHOLDER_ISSUERS.find((each) => each.pattern.test(cert.issuer) || each.pattern.test(cert.subject));
  if (placeholder) return { ok: false, reason: `https://${domain} answers with ${placeholder.what} (issuer "${issuer}").` };
  if (cert.selfSigned) return { ok: false, reason: `https://${domain} answers with a self-signed certificate ("${commonNameOf(cert.subject)}"), not one from the ACME issuer.` };
  if (!coversName(cert.names, domain)) return { ok: false, reason: `https://${domain} answers with a certificate for ${cert.names.join(', ') || commonNameOf(cert.subject)}, not for ${domain}.` };
  if (cert.chainVerifies === false) return { ok: false, reason: `The certificate for ${domain} is not signed by the intermediate the server sends with it (issuer "${issuer}").` };
  if (new Date(cert.notAfter).getTime() <= now.getTime()) return { ok: false, reason: `The certificate for ${domain} expired on ${cert.notAfter}.` };
  if (new Date(cert.notBefore).getTime() > now.getTime()) return { ok: false, reason: `The certificate for ${domain} is not valid before ${cert.notBefore}.` };
  return { ok: true, summary: `certificate for ${domain} issued by ${issuer}, valid until ${new Date(cert.notAfter).toISOString().slice(0, 10)}` };
}
