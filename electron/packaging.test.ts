import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  scripts: Record<string, string>;
  build: { directories: { buildResources: string }; files: string[]; linux: { icon: string }; mac: { entitlements: string } };
};

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(path: URL): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('packaging (electron-builder)', () => {
  it('names resources that exist: the app icon in resources/ and build/, and the macOS entitlements', () => {
    expect(pkg.build.directories.buildResources).toBe('build');
    expect(pkg.build.files).toContain('resources/**');
    for (const icon of ['resources/icon.png', pkg.build.linux.icon]) expect(pngSize(new URL(icon, root))).toEqual({ width: 512, height: 512 });
    expect(readFileSync(new URL(pkg.build.mac.entitlements, root), 'utf8')).toContain('com.apple.security.cs.allow-jit');
    expect(existsSync(new URL('resources/icon.svg', root))).toBe(true);
    expect(pkg.scripts.dist).toMatch(/electron-builder/);
  });
});
