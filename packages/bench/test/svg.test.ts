import { describe, expect, it } from 'vitest';
import { benchChart, escapeXml, logX, renderPanel, wrap } from '../src/report/svg.js';
import { benchResult } from './result-fixture.js';

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
});

describe('logX', () => {
  it('places values on a log scale and clamps those outside the domain', () => {
    const domain: [number, number] = [0.01, 100];
    const one = logX(1, domain);
    expect(logX(10, domain) - one).toBeCloseTo(one - logX(0.1, domain));
    expect(logX(1e-9, domain)).toBe(logX(0.01, domain));
    expect(logX(1e9, domain)).toBe(logX(100, domain));
  });
});

describe('renderPanel', () => {
  const panel = {
    title: 'T',
    domain: [0.01, 100] as [number, number],
    ticks: [0.01, 1, 100],
    reference: 1,
    groups: [
      {
        title: 'G',
        bars: [
          { label: 'faster', value: 0.1 },
          { label: 'slower', value: 10 },
          { label: 'missing', value: undefined, note: 'not built yet' },
        ],
      },
    ],
  };
  const { svg, height } = renderPanel(panel, 0);
  const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="(#\w+)">/g)];

  it('draws one bar per value, none for a missing one, whose note is shown instead', () => {
    expect(rects).toHaveLength(2);
    expect(svg).toContain('not built yet');
  });

  it('draws a better figure left of 1× in green and a worse one right of it in red', () => {
    const [better, worse] = rects;
    expect(Number(better?.[1]) + Number(better?.[2])).toBeCloseTo(logX(1, panel.domain), 0);
    expect(better?.[3]).toBe('#2e7d32');
    expect(Number(worse?.[1])).toBeCloseTo(logX(1, panel.domain), 0);
    expect(worse?.[3]).toBe('#c62828');
  });

  it('grows with the number of rows', () => {
    const bigger = renderPanel({ ...panel, groups: [...panel.groups, ...panel.groups] }, 0);
    expect(bigger.height).toBeGreaterThan(height);
  });
});

describe('benchChart', () => {
  const svg = benchChart(benchResult());

  it('is one standalone SVG document with balanced groups', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<g /g)?.length).toBe(svg.match(/<\/g>/g)?.length);
  });

  it('charts the ratios of a measured pair and says why another pair has none', () => {
    expect(svg).toContain('Git: Patchbay ÷ @cyanheads/git-mcp-server');
    expect(svg).toContain('<title>start-up: 0.5×</title>');
    expect(svg).toContain('Patchbay not built yet');
  });

  it('escapes labels taken from the results', () => {
    expect(svg).toContain('diff &lt;a&gt;..b &amp; c: tokens');
    expect(svg).not.toContain('<a>');
  });

  it('marks a token ratio built on a partial result', () => {
    expect(svg).not.toMatch(/✂/);
    const result = benchResult();
    const log = result.connectors[0]?.patchbay.summary?.calls.log;
    if (!log) throw new Error('fixture has no log call');
    log.truncated = 2;
    expect(benchChart(result)).toMatch(
      /log, 100 commits: tokens: 0\.5×<\/title><\/rect><text [^>]*>0\.5× ✂ partial result<\/text>/,
    );
  });

  it('marks ratios built on error results', () => {
    expect(svg).not.toMatch(/⚠/);
    const result = benchResult();
    const log = result.connectors[0]?.patchbay.summary?.calls.log;
    if (!log) throw new Error('fixture has no log call');
    log.errors = 1;
    expect(benchChart(result)).toMatch(/0\.5× ⚠ error results/);
  });
});

describe('wrap', () => {
  it('breaks a list at its separators so no line is longer than asked', () => {
    expect(wrap('Intel Xeon, 2 cores; Linux 6.18; Node v20.20.2; Chromium 156', '; ', 30)).toEqual([
      'Intel Xeon, 2 cores;',
      'Linux 6.18; Node v20.20.2;',
      'Chromium 156',
    ]);
  });

  it('keeps a single overlong part whole rather than cutting it', () => {
    expect(wrap('a-very-long-part; b', '; ', 5)).toEqual(['a-very-long-part;', 'b']);
  });
});

describe('the chart heading', () => {
  it('names the machine, wrapped to fit, and the load average', () => {
    const result = benchResult();
    result.machine.chromium = 'Chromium 156.0.8078.79';
    result.machine.postgres = 'PostgreSQL 15.20 (Debian 15.20-0+deb12u1)';
    result.machine.git = 'git version 2.39.5';
    result.machine.cpu = 'Intel(R) Xeon(R) Processor with a very long model name that goes on';
    const lines = [...benchChart(result).matchAll(/<text x="20" y="\d+" font-size="11" fill="#616161">([^<]*)<\/text>/g)].map(
      (m) => m[1] ?? '',
    );
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(0, -1).every((l) => l.length <= 141)).toBe(true);
    expect(lines.at(-1)).toContain('load average 0.20 → 0.40');
  });
});
