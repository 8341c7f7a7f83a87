import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chooseCodec, parseCodecTimings } from './compression';
import { chainIds, layersPresent } from './layer-plan';

const diff = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('layer chains', () => {
  it('names each layer with everything below it, as Docker does', () => {
    const [a, b, c] = [diff(1), diff(2), diff(3)];
    const second = `sha256:${createHash('sha256').update(`${a} ${b}`).digest('hex')}`;
    expect(chainIds([a, b, c])).toEqual([a, second, `sha256:${createHash('sha256').update(`${second} ${c}`).digest('hex')}`]);
  });

  it('counts the layers the target has from the bottom; the same layer on another base does not count', () => {
    const image = [diff(1), diff(2), diff(3)];
    expect(layersPresent(image, new Set(chainIds([diff(1), diff(2)])))).toBe(2);
    expect(layersPresent(image, new Set(chainIds([diff(9), diff(2), diff(3)])))).toBe(0);
    expect(layersPresent(image, new Set(chainIds(image)))).toBe(3);
    expect(layersPresent(image, new Set())).toBe(0);
  });
});

describe('compression by measurement', () => {
  const measured = parseCodecTimings('raw 8000000\nzstd 10.0 10.02 2000000\ngzip 10.1 10.3 2400000\n');

  it('reads the timings taken on the source', () => {
    expect(measured.map((each) => each.codec)).toEqual(['zstd', 'gzip']);
    expect(measured[0]!.compressBps).toBeCloseTo(400e6, -6);
    expect(measured[0]!.ratio).toBeCloseTo(0.25);
  });

  it('sends uncompressed on a link faster than any codec, compresses on a slow one', () => {
    expect(chooseCodec(1000e6, measured).codec).toBe('none');
    expect(chooseCodec(2.5e6, measured).codec).toBe('zstd');
    expect(chooseCodec(2.5e6, measured.filter((each) => each.codec === 'gzip')).codec).toBe('gzip');
    expect(chooseCodec(2.5e6, measured).reason).toMatch(/link 3 MB\/s, zstd 400 MB\/s to 25%/);
  });
});
