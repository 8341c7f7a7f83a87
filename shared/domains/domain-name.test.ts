// eslint-disable-next-line no-restricted-imports -- the test's oracle is Node's own url.domainToASCII; the module under test imports no Node module
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { subdomainOf, validateDomain } from './domain-name';

function reasonOf(raw: string): string {
  const result = validateDomain(raw);
  if (result.ok) throw new Error(`${raw} was accepted as ${result.domain}`);
  return result.reason;
}

describe('validateDomain', () => {
  it('normalises a plain domain to lower case and an https URL', () => {
    expect(validateDomain('  Shop.Example.COM ')).toEqual({ ok: true, domain: 'shop.example.com', url: 'https://shop.example.com' });
    expect(validateDomain('shop.example.com.')).toMatchObject({ ok: true, domain: 'shop.example.com' });
  });

  it('turns international names into punycode exactly as node’s url.domainToASCII does', () => {
    for (const name of ['bücher.example', 'ÉXAMPLE.com', '例え.テスト', 'straße.de']) {
      const result = validateDomain(name);
      expect(result).toMatchObject({ ok: true, domain: domainToASCII(name), unicode: name });
    }
    expect(validateDomain('bücher.example')).toMatchObject({ domain: 'xn--bcher-kva.example', url: 'https://xn--bcher-kva.example' });
  });

  it('refuses a scheme, a path, a port, a wildcard, an IP address, each with its reason', () => {
    expect(reasonOf('https://shop.example.com')).toMatch(/scheme \("https:\/\/"\)/);
    expect(reasonOf('shop.example.com/cart')).toMatch(/path/);
    expect(reasonOf('shop.example.com:8443')).toMatch(/port/);
    expect(reasonOf('*.example.com')).toMatch(/Wildcard/);
    expect(reasonOf('10.213.47.13')).toMatch(/IP address/);
    expect(reasonOf('[::1]')).toMatch(/IP address/);
    expect(reasonOf('user@shop.example.com')).toMatch(/@/);
    expect(reasonOf('shop example.com')).toMatch(/spaces/);
  });

  it('holds labels to RFC 1123: letters, digits, inner hyphens, 63 bytes; 253 in all', () => {
    expect(reasonOf('-shop.example.com')).toMatch(/starts or ends with a hyphen/);
    expect(reasonOf('shop-.example.com')).toMatch(/hyphen/);
    expect(reasonOf('my_shop.example.com')).toMatch(/no underscores/);
    expect(reasonOf('shop..example.com')).toMatch(/empty label/);
    expect(reasonOf(`${'a'.repeat(64)}.example.com`)).toMatch(/64 characters long; each part .* at most 63/);
    expect(validateDomain(`${'a'.repeat(63)}.example.com`).ok).toBe(true);
    const long = `${Array.from({ length: 4 }, () => 'a'.repeat(62)).join('.')}.com`;
    expect(long.length).toBe(255);
    expect(reasonOf(long)).toMatch(/255 characters long; at most 253/);
    expect(reasonOf('localhost')).toMatch(/no dot/);
    expect(reasonOf('shop.123')).toMatch(/all digits/);
    expect(reasonOf('')).toMatch(/Enter a domain/);
  });

  it('counts the length of an international name in its punycode form', () => {
    const name = `${'ü'.repeat(60)}.example`;
    expect(reasonOf(name)).toMatch(/each part between dots may have at most 63/);
  });
});

describe('subdomainOf', () => {
  it('joins a label to the environment’s base domain and validates the whole', () => {
    expect(subdomainOf('shop', 'prod.example.com')).toMatchObject({ ok: true, domain: 'shop.prod.example.com' });
    expect(subdomainOf('my shop', 'prod.example.com').ok).toBe(false);
    expect(subdomainOf('shop', '')).toMatchObject({ ok: false, reason: expect.stringMatching(/no base domain/) });
  });
});
