import type { BenchResult } from '../model.js';
import { ratio } from '../stats.js';
import { formatRatio } from './format.js';
import { describeMachine } from './markdown.js';
import { connectorRows } from './rows.js';

export interface Bar {
  label: string;
  value: number | undefined;
  /** Fill colour; by default green below the reference line and red above. */
  color?: string;
  /** Shown instead of a value when there is none ("not built yet", "no equivalent"). */
  note?: string;
  /** Some runs behind this figure answered with an error: the value gets a ⚠. */
  warn?: boolean;
  /** A side returned part of the result (with a continuation): the value gets a ✂. */
  partial?: boolean;
}

export interface BarGroup {
  title: string;
  bars: Bar[];
}

export interface Panel {
  title: string;
  groups: BarGroup[];
  /** Log-scale domain, clamped: [lowest, highest]. */
  domain: [number, number];
  ticks: number[];
  /** Where bars start: 1× on a ratio chart. */
  reference: number;
}

const WIDTH = 1040;
const LABEL_WIDTH = 380;
const PLOT_WIDTH = 440;
const ROW = 20;
const GROUP_GAP = 26;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';
const BETTER = '#2e7d32';
const WORSE = '#c62828';
const PATCHBAY = '#1565c0';
const COMPARATOR = '#9e9e9e';

/** Escape text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** x position of a value on a log scale over the panel's domain, clamped to the plot. */
export function logX(value: number, domain: [number, number]): number {
  const [lo, hi] = domain;
  const clamped = Math.min(hi, Math.max(lo, value));
  return LABEL_WIDTH + ((Math.log10(clamped) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * PLOT_WIDTH;
}

/** One panel as an SVG group translated to `top`; returns the markup and its height. */
export function renderPanel(panel: Panel, top: number): { svg: string; height: number } {
  const parts: string[] = [];
  let y = 28;
  parts.push(`<text x="0" y="18" font-size="15" font-weight="600">${escapeXml(panel.title)}</text>`);
  const bodyTop = y;
  for (const group of panel.groups) {
    y += GROUP_GAP - 8;
    parts.push(`<text x="0" y="${y + 4}" font-size="13" font-weight="600">${escapeXml(group.title)}</text>`);
    y += 8;
    for (const bar of group.bars) {
      const mid = y + ROW / 2;
      parts.push(`<text x="${LABEL_WIDTH - 8}" y="${mid + 4}" font-size="11" text-anchor="end">${escapeXml(bar.label)}</text>`);
      if (bar.value !== undefined && Number.isFinite(bar.value) && bar.value > 0) {
        const x0 = logX(panel.reference, panel.domain);
        const x1 = logX(bar.value, panel.domain);
        const color = bar.color ?? (bar.value <= panel.reference ? BETTER : WORSE);
        const x = Math.min(x0, x1);
        const width = Math.max(1, Math.abs(x1 - x0));
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${width.toFixed(1)}" height="${ROW - 8}" fill="${color}"><title>${escapeXml(`${bar.label}: ${formatRatio(bar.value)}`)}</title></rect>`,
        );
        parts.push(
          `<text x="${LABEL_WIDTH + PLOT_WIDTH + 10}" y="${mid + 4}" font-size="11">${escapeXml(formatRatio(bar.value) + (bar.partial ? ' ✂ partial result' : '') + (bar.warn ? ' ⚠ error results' : ''))}</text>`,
        );
      } else {
        parts.push(
          `<text x="${LABEL_WIDTH + PLOT_WIDTH + 10}" y="${mid + 4}" font-size="11" fill="#757575">${escapeXml(bar.note ?? 'n/a')}</text>`,
        );
      }
      y += ROW;
    }
  }
  const bottom = y + 6;
  // Grid and axis drawn last so the tick labels sit under the plot.
  const grid: string[] = [];
  for (const tick of panel.ticks) {
    const x = logX(tick, panel.domain).toFixed(1);
    const strong = tick === panel.reference;
    grid.push(
      `<line x1="${x}" y1="${bodyTop}" x2="${x}" y2="${bottom}" stroke="${strong ? '#424242' : '#e0e0e0'}" stroke-width="${strong ? 1.5 : 1}"/>`,
    );
    grid.push(
      `<text x="${x}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#616161">${escapeXml(formatRatio(tick))}</text>`,
    );
  }
  const height = bottom + 24;
  return { svg: `<g transform="translate(20 ${top})">${grid.join('')}${parts.join('')}</g>`, height };
}

/** Compose panels under a heading into one standalone SVG document. */
export function renderSvg(heading: string, subheading: string[], panels: Panel[]): string {
  const body: string[] = [];
  let top = 44 + subheading.length * 15;
  for (const panel of panels) {
    const { svg, height } = renderPanel(panel, top);
    body.push(svg);
    top += height + 10;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" viewBox="0 0 ${WIDTH} ${top}" ${FONT} fill="#212121">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="20" y="26" font-size="18" font-weight="700">${escapeXml(heading)}</text>`,
    ...subheading.map((line, i) => `<text x="20" y="${46 + i * 15}" font-size="11" fill="#616161">${escapeXml(line)}</text>`),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Break a list-like line at its separators into lines of at most `width` characters (SVG text does not wrap). */
export function wrap(text: string, separator: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(separator)) {
    const next = line ? `${line}${separator}${part}` : part;
    if (line && next.length > width) {
      lines.push(`${line}${separator.trimEnd()}`);
      line = part;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** Figures worth a bar: time, tokens and memory (bytes follow tokens; counts say little). */
const CHARTED = /^(start-up|tools\/list tokens|idle RSS|idle RSS \+ children)$|: (latency|tokens|peak RSS|peak RSS \+ children)$/;

/** The bench's chart: Patchbay ÷ comparator per figure, then start-up and memory as multiples of the floor. */
export function benchChart(result: BenchResult): string {
  const ratios: BarGroup[] = [];
  const floors: BarGroup[] = [];
  for (const connector of result.connectors) {
    const p = connector.patchbay;
    const c = connector.comparator;
    if (p.status === 'measured' && c.status === 'measured') {
      const bars = connectorRows(connector, result.floor)
        .filter((row) => CHARTED.test(row.short))
        .map((row): Bar => {
          const value = ratio(row.patchbay, row.comparator);
          const note = row.patchbayNote ?? row.comparatorNote;
          const warn = Boolean(row.patchbayErrors || row.comparatorErrors);
          const partial = row.metric === 'tokens' && Boolean(row.patchbayTruncated || row.comparatorTruncated);
          return {
            label: row.short,
            value,
            ...(note ? { note } : {}),
            ...(warn ? { warn } : {}),
            ...(partial ? { partial } : {}),
          };
        });
      ratios.push({ title: `${connector.title}: Patchbay ÷ ${c.label}`, bars });
    } else {
      ratios.push({
        title: `${connector.title}`,
        bars: [
          {
            label: 'Patchbay ÷ comparator',
            value: undefined,
            note: p.status === 'measured' ? `comparator ${c.status}` : `Patchbay ${p.status}`,
          },
        ],
      });
    }
    const f = result.floor.summary;
    const floorBars: Bar[] = [];
    for (const [side, who, color] of [
      [p, 'Patchbay', PATCHBAY],
      [c, c.label, COMPARATOR],
    ] as const) {
      const note = side.status === 'measured' ? undefined : side.status;
      floorBars.push(
        { label: `${who}: start-up`, value: ratio(side.summary?.startupMs, f?.startupMs), color, ...(note ? { note } : {}) },
        { label: `${who}: idle RSS`, value: ratio(side.summary?.idleRssKb, f?.idleRssKb), color, ...(note ? { note } : {}) },
      );
    }
    floors.push({ title: connector.title, bars: floorBars });
  }
  const panels: Panel[] = [
    {
      title: 'Patchbay ÷ comparator (log scale; left of 1× is faster or smaller)',
      groups: ratios,
      domain: [0.001, 100],
      ticks: [0.001, 0.01, 0.1, 1, 10, 100],
      reference: 1,
    },
    {
      title: 'Multiple of the floor, a bare node process (log scale; 1× is the physical limit)',
      groups: floors,
      domain: [0.5, 50],
      ticks: [0.5, 1, 2, 5, 10, 20, 50],
      reference: 1,
    },
  ];
  const date = result.date.slice(0, 16).replace('T', ' ');
  return renderSvg(
    `Patchbay bench, ${date} UTC`,
    [
      ...wrap(describeMachine(result.machine), '; ', 140),
      `Medians of ${result.runs} interleaved runs per server; load average ${result.machine.load.start.toFixed(2)} → ${result.machine.load.end.toFixed(2)}. ` +
        `Tokens: ${result.tokenizer}. Figures and ranges: results/latest.json.`,
    ],
    panels,
  );
}
