import { describe, expect, it } from 'vitest';
import { commonNameOf, judgeCertificate, type ServedCertificate } from './certificate-verdict';

const now = new Date('2026-12-02T02:00:00Z');
const pebble: ServedCertificate = { subject: 'CN=shop.prod.gantry-lab.test', issuer: 'CN=Pebble Intermediate CA 17ad94', names: ['shop.prod.gantry-lab.test'], notBefore: '2026-12-02T01:00:00.000Z', notAfter: '2031-12-02T01:00:00.000Z', selfSigned: false, chainVerifies: true };

describe('judgeCertificate', () => {
  it('accepts a certificate for the domain from an ACME issuer, naming the issuer and the expiry', () => {
    expect(judgeCertificate('shop.prod.gantry-lab.test', pebble, now)).toEqual({ ok: true, summary: 'certificate for shop.prod.gantry-lab.test issued by Pebble Intermediate CA 17ad94, valid until 2031-12-02' });
    expect(judgeCertificate('a.example.com', { ...pebble, names: ['*.example.com'] }, now).ok).toBe(true);
    expect(judgeCertificate('a.b.example.com', { ...pebble, names: ['*.example.com'] }, now).ok).toBe(false);
  });

  it('refuses Traefik’s default certificate, Caddy’s internal CA and self-signed ones, saying which', () => {
    const traefik = { ...pebble, subject: 'CN=TRAEFIK DEFAULT CERT', issuer: 'CN=TRAEFIK DEFAULT CERT', names: ['x.y.traefik.default'], selfSigned: true, chainVerifies: null };
    expect(judgeCertificate('shop.example.com', traefik, now)).toEqual({ ok: false, reason: expect.stringMatching(/Traefik's default certificate/) });
    expect(judgeCertificate('shop.example.com', { ...pebble, names: ['shop.example.com'], issuer: 'CN=Caddy Local Authority - ECC Intermediate' }, now)).toEqual({ ok: false, reason: expect.stringMatching(/Caddy's internal CA/) });
    expect(judgeCertificate('shop.example.com', { ...pebble, names: ['shop.example.com'], subject: 'CN=shop.example.com', issuer: 'CN=shop.example.com', selfSigned: true }, now)).toEqual({ ok: false, reason: expect.stringMatching(/self-signed/) });
  });

  it('refuses another name, a broken chain, an expired or not-yet-valid certificate', () => {
    expect(judgeCertificate('store.example.com', pebble, now)).toEqual({ ok: false, reason: expect.stringMatching(/for shop\.prod\.gantry-lab\.test, not for store\.example\.com/) });
    expect(judgeCertificate('shop.prod.gantry-lab.test', { ...pebble, chainVerifies: false }, now).ok).toBe(false);
    expect(judgeCertificate('shop.prod.gantry-lab.test', { ...pebble, notAfter: '2026-12-01T00:00:00Z' }, now)).toEqual({ ok: false, reason: expect.stringMatching(/expired/) });
    expect(judgeCertificate('shop.prod.gantry-lab.test', { ...pebble, notBefore: '2027-01-01T00:00:00Z' }, now)).toEqual({ ok: false, reason: expect.stringMatching(/not valid before/) });
  });

  it('reads the common name out of a distinguished name', () => {
    expect(commonNameOf('C=US\nO=Let\'s Encrypt\nCN=R11')).toBe('R11');
    expect(commonNameOf('O=Acme')).toBe('O=Acme');
  });
});
