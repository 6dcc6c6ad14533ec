import type { BenchResult, ConnectorResult, Continuation, Machine, SideResult } from '../model.js';
import { ratio } from '../stats.js';
import { beforeAfterSection } from './before-after.js';
import { cell, formatRatio, mib, ms } from './format.js';
import { connectorRows, type Row, rowRatio } from './rows.js';
import { markdownTable } from './table.js';

/** The whole report: heading, machine, floor, then one table per connector. */
export function renderMarkdown(result: BenchResult): string {
  const out: string[] = [];
  out.push(`### Patchbay bench, ${result.date.slice(0, 16).replace('T', ' ')} UTC`, '');
  out.push(`Machine: ${describeMachine(result.machine)}.`);
  out.push(describeLoad(result.machine));
  out.push(
    `Each cell is the median (min–max) of ${result.runs} session${result.runs === 1 ? '' : 's'} per server, started interleaved ` +
      `(floor, Patchbay, comparator, floor, …). Tokens: ${result.tokenizer}. Ratios divide medians: below 1× Patchbay is ` +
      `faster or smaller. × floor divides by the floor's figure (its idle RSS for memory rows).`,
    '',
  );
  const node = result.setup?.node;
  if (node)
    out.push(
      `The floor and every server ran on Node ${node.version} (\`${node.path}\`); the bench itself on Node ${result.machine.node}.`,
      '',
    );
  out.push(...floorTable(result.floor), '');
  for (const connector of result.connectors) out.push(...connectorSection(connector, result.floor), '');
  const beforeAfter = beforeAfterSection(result);
  if (beforeAfter.length) out.push(...beforeAfter, '');
  return `${out.join('\n').trimEnd()}\n`;
}

export function describeMachine(m: Machine): string {
  const parts = [`${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM`, m.os, `Node ${m.node}`];
  if (m.chromium) parts.push(m.chromium);
  if (m.postgres) parts.push(m.postgres);
  if (m.git) parts.push(m.git);
  return parts.join('; ');
}

/**
 * Load average before and after: on a busy machine every figure is slower and noisier (the floor
 * too, which is why the × floor columns are there), and the reader should know.
 */
export function describeLoad(m: Machine): string {
  const { start, end } = m.load;
  const busy = Math.max(start, end) > m.cores * 0.75;
  return `Load average (1 min) ${start.toFixed(2)} at the start, ${end.toFixed(2)} at the end${
    busy ? `: other work was running on the ${m.cores} cores, so times are slower and ranges wider than on an idle machine` : ''
  }.`;
}

function floorTable(floor: SideResult): string[] {
  const s = floor.summary;
  const lines = [
    '**Floor**: a bare `node -e` process that answers each line on stdin; no imports. The least a Node server can take.',
    '',
    ...markdownTable(
      ['figure', 'floor'],
      ['left', 'right'],
      [
        ['spawn → initialize response (ms)', cell(s?.startupMs, ms)],
        ['idle RSS (MiB)', cell(s?.idleRssKb, mib)],
      ],
    ),
  ];
  if (floor.status === 'failed') lines.push('', `The floor failed: ${floor.reason ?? 'no sample'}`);
  return lines;
}

function sideName(side: SideResult): string {
  return side.version ? `${side.label} ${side.version}` : side.label;
}

/** A side's state as one sentence when it has no figures (or only some). */
function sideState(side: SideResult): string | undefined {
  if (side.status === 'measured') return side.reason ? `${sideName(side)}: ${side.reason}` : undefined;
  return `${sideName(side)}: **${side.status}**${side.reason ? ` (${side.reason})` : ''}`;
}

function connectorSection(connector: ConnectorResult, floor: SideResult): string[] {
  const p = connector.patchbay;
  const c = connector.comparator;
  const lines = [`#### ${connector.title}: ${sideName(p)} vs ${sideName(c)}`, ''];
  if (connector.skipped) return [...lines, `Not measured: ${connector.skipped}.`];
  const states = [sideState(p), sideState(c)].filter((s): s is string => s !== undefined);
  if (states.length) lines.push(...states.map((s) => `- ${s}`), '');
  if (p.status !== 'measured' && c.status !== 'measured') return lines.concat(notes(connector));

  const pHead = p.status === 'measured' ? 'Patchbay' : `Patchbay (${p.status})`;
  const cHead = c.status === 'measured' ? c.label : `${c.label} (${c.status})`;
  const footnotes: string[] = [];
  lines.push(
    ...markdownTable(
      ['figure', pHead, cHead, 'Patchbay ÷ comparator', 'Patchbay × floor', 'comparator × floor'],
      ['left', 'right', 'right', 'right', 'right', 'right'],
      connectorRows(connector, floor).map((row) => renderRow(row, footnotes)),
    ),
    '',
  );
  if (connector.calls.length) lines.push(...callList(connector), '');
  if (footnotes.length) lines.push(...footnotes.map((f) => `- ${f}`), '');
  return lines.concat(notes(connector));
}

interface SideCell {
  who: 'Patchbay' | 'The comparator';
  summary: Row['patchbay'];
  note: string | undefined;
  errors: number | undefined;
  firstError: string | undefined;
  continued: number | undefined;
  more: Continuation | undefined;
}

function renderRow(row: Row, footnotes: string[]): string[] {
  const call = row.figure.slice(0, row.figure.lastIndexOf(': '));
  const side = ({ who, summary, note, errors, firstError, continued, more }: SideCell) => {
    if (note) return note;
    const marks: string[] = [];
    if (errors) marks.push('⚠');
    // A partial result is marked where its size is shown: the size is of what was returned.
    if (continued && (row.metric === 'text' || row.metric === 'tokens' || row.metric === 'wire')) marks.push('✂');
    if (row.metric === 'latency') {
      if (errors) {
        const quoted = firstError ? `: ${oneLine(firstError)}` : '';
        footnotes.push(`⚠ ${who} answered "${call}" with an error in ${runs(errors)}${quoted}`);
      }
      if (continued) {
        const omitted = more?.omitted ? `, ${more.omitted.toLocaleString('en-US')} left out` : '';
        const hint = more?.hint ? `: "${oneLine(more.hint)}"` : '';
        footnotes.push(`✂ ${who} returned part of "${call}" with a continuation in ${runs(continued)}${omitted}${hint}`);
      }
    }
    return [cell(summary, row.format), ...marks].join(' ');
  };
  return [
    row.figure,
    side({
      who: 'Patchbay',
      summary: row.patchbay,
      note: row.patchbayNote,
      errors: row.patchbayErrors,
      firstError: row.patchbayError,
      continued: row.patchbayTruncated,
      more: row.patchbayMore,
    }),
    side({
      who: 'The comparator',
      summary: row.comparator,
      note: row.comparatorNote,
      errors: row.comparatorErrors,
      firstError: row.comparatorError,
      continued: row.comparatorTruncated,
      more: row.comparatorMore,
    }),
    formatRatio(rowRatio(row)),
    row.floor ? formatRatio(ratio(row.patchbay, row.floor)) : '',
    row.floor ? formatRatio(ratio(row.comparator, row.floor)) : '',
  ];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

function runs(n: number): string {
  return `${n} run${n === 1 ? '' : 's'}`;
}

function callList(connector: ConnectorResult): string[] {
  return [
    'Calls, in session order:',
    '',
    ...connector.calls.map(
      (c) =>
        `- ${c.label}: Patchbay \`${c.patchbayTool}\`${c.comparatorTool ? `, comparator \`${c.comparatorTool}\`` : ', no comparator equivalent'}`,
    ),
  ];
}

function notes(connector: ConnectorResult): string[] {
  const lines = connector.notes.map((n) => `- ${n}`);
  for (const side of [connector.patchbay, connector.comparator])
    if (side.command) lines.push(`- Started as: \`${side.command}\``);
  return lines;
}
