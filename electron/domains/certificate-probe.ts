/**
 * Reads the certificate a domain serves, asked from the server (`openssl s_client` there, with
 * the domain as SNI, to the address the domain resolves to from the server, else the server's
 * own loopback), and parses it here with Node's X.509 support. Polls until the proxy serves a
 * certificate that passes `judgeCertificate`, or the time is up.
 */
import { X509Certificate } from 'node:crypto';
import { judgeCertificate, type ServedCertificate } from '@shared/domains/certificate-verdict';
import { shellQuote, type RemoteHost } from '../servers/remote-host';

/** What a certificate check found. */
export interface CertificateReport {
  ok: boolean;
  /** "certificate for … issued by …, valid until …", or the reason it is not right. */
  message: string;
  certificate: ServedCertificate | null;
  /** The HTTP status https://<domain>/ answered with, when it was asked. */
  httpStatus: number | null;
}

/** The command that prints the served chain (PEM blocks) for `domain`, and then the https status of `/`. */
export function servedCertificateCommand(domain: string): string {
  const d = shellQuote(domain);
  return [
    `addr=$(getent ahostsv4 ${d} 2>/dev/null | awk 'NR==1{print $1}'); [ -n "$addr" ] || addr=127.0.0.1`,
    `echo "@@gantry:address=$addr"`,
    `openssl s_client -connect "$addr:443" -servername ${d} -showcerts </dev/null 2>/dev/null | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p'`,
    `echo "@@gantry:http=$(curl -sk -m 10 -o /dev/null -w '%{http_code}' --resolve ${shellQuote(`${domain}:443:`)}"$addr" ${shellQuote(`https://${domain}/`)} 2>/dev/null)"`,
  ].join('; ');
}

/** Parses the PEM chain a server sent into what the verdict needs; null when it sent none. */
export function servedCertificateOf(pemText: string): ServedCertificate | null {
  const blocks = pemText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return null;
  const [leaf, next] = blocks.map((pem) => new X509Certificate(pem));
  const names = (leaf!.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  return {
    subject: leaf!.subject,
    issuer: leaf!.issuer,
    names,
    notBefore: new Date(leaf!.validFrom).toISOString(),
    notAfter: new Date(leaf!.validTo).toISOString(),
    selfSigned: leaf!.subject === leaf!.issuer && leaf!.verify(leaf!.publicKey),
    chainVerifies: next ? leaf!.checkIssued(next) && leaf!.verify(next.publicKey) : null,
  };
}

/** Reads and judges the certificate once. */
export async function checkServedCertificate(host: RemoteHost, domain: string, signal?: AbortSignal, now: () => Date = () => new Date()): Promise<CertificateReport> {
  const result = await host.exec(servedCertificateCommand(domain), signal ? { signal } : {});
  const address = /@@gantry:address=(\S*)/.exec(result.stdout)?.[1] ?? '?';
  const status = Number(/@@gantry:http=(\d*)/.exec(result.stdout)?.[1] ?? '');
  const httpStatus = Number.isFinite(status) && status > 0 ? status : null;
  if (/openssl: (command )?not found/.test(result.stderr)) return { ok: false, message: `openssl is not installed on ${host.label}, so the certificate of ${domain} could not be read there.`, certificate: null, httpStatus };
  const certificate = servedCertificateOf(result.stdout);
  if (!certificate) return { ok: false, message: `Nothing answers https for ${domain} on ${address}:443 (asked from ${host.label}).`, certificate: null, httpStatus };
  const verdict = judgeCertificate(domain, certificate, now());
  if (!verdict.ok) return { ok: false, message: verdict.reason, certificate, httpStatus };
  if (httpStatus !== null && httpStatus >= 500) return { ok: false, message: `${verdict.summary}, but https://${domain}/ answers HTTP ${httpStatus} (the proxy does not reach the container).`, certificate, httpStatus };
  return { ok: true, message: verdict.summary, certificate, httpStatus };
}

/** Polls `checkServedCertificate` every `everyMs` until it passes or `timeoutMs` is up; the last report either way. */
export async function waitForCertificate(host: RemoteHost, domain: string, options: { timeoutMs: number; everyMs?: number; signal?: AbortSignal; onAttempt?: (report: CertificateReport) => void }): Promise<CertificateReport> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const report = await checkServedCertificate(host, domain, options.signal);
    options.onAttempt?.(report);
    if (report.ok || Date.now() + (options.everyMs ?? 3000) > deadline) return report;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.everyMs ?? 3000);
      options.signal?.addEventListener('abort', () => (clearTimeout(timer), reject(options.signal!.reason as Error)), { once: true });
    });
  }
}
