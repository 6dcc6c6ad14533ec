import { describe, expect, it } from 'vitest';
import { formatTable, jsonSize, more, moreLine, OutputBudget, tableLayout } from '../src/index.js';

describe('jsonSize', () => {
  it('counts a string as JSON.stringify writes it, escapes and UTF-8 included', () => {
    const strings = [
      '',
      'plain ascii',
      '- button "Save" [ref=e12] → /path\\to',
      'tab\tnewline\ncarriage\rback\bfeed\f',
      '\u0000\u0001\u001f\u007f',
      'é ü ß — “quotes” € 中文 😀',
      'lone \ud800 high, lone \udc00 low, reversed \udc00\ud800, pair at end \ud83d\ude00',
      'ends with a high surrogate \ud83d',
      '\u2028\u2029',
    ];
    for (const text of strings) expect(jsonSize(text), JSON.stringify(text)).toBe(Buffer.byteLength(JSON.stringify(text)));
    expect(jsonSize({ a: 'é', b: [1, null] })).toBe(Buffer.byteLength(JSON.stringify({ a: 'é', b: [1, null] })));
  });
});

describe('OutputBudget', () => {
  it('keeps the leading items that fit and counts the rest', () => {
    const budget = new OutputBudget(1_024);
    const items = Array.from({ length: 100 }, (_, i) => ({ id: i, name: `item-${i}` }));
    const fitted = budget.take(items);
    expect(fitted.items.length).toBeGreaterThan(5);
    expect(fitted.items.length + fitted.omitted).toBe(100);
    expect(JSON.stringify(fitted.items).length).toBeLessThanOrEqual(1_024);
  });

  it('cuts text at a line boundary and reports what it left out', () => {
    const budget = new OutputBudget(1_024);
    const text = Array.from({ length: 200 }, (_, i) => `line number ${i}`).join('\n');
    const cut = budget.cutText(text);
    expect(cut.cut).toBe(true);
    expect(cut.text.endsWith('\n')).toBe(false);
    expect(text.startsWith(cut.text)).toBe(true);
    expect(text[cut.text.length]).toBe('\n');
    expect(cut.omittedLines).toBe(200 - cut.text.split('\n').length);
  });

  it('never splits a multi-byte character', () => {
    const budget = new OutputBudget(1_024);
    const cut = budget.cutText('é'.repeat(2_000));
    expect(cut.text).not.toContain('\uFFFD');
    expect(Buffer.byteLength(cut.text)).toBeLessThanOrEqual(1_024);
  });

  it('describes a continuation only when something was left out', () => {
    expect(more(0, 'x')).toBeUndefined();
    const value = more(3, 'Call again with skip=10.');
    expect(moreLine(value, 'rows')).toContain('3 more rows not shown');
  });
});

describe('formatTable', () => {
  it('aligns columns and flattens newlines', () => {
    const table = formatTable(
      ['id', 'name'],
      [
        [1, 'a\nb'],
        [22, null],
      ],
    );
    expect(table.split('\n')).toEqual(['id  name', '--  ----', '1   a⏎b', '22']);
  });
});

describe('tableLayout', () => {
  it('draws the rows formatTable draws, one at a time, with widths from every row given', () => {
    const rows = [
      [1, 'short'],
      [22, 'a much longer name'],
    ];
    const table = tableLayout(['id', 'name'], rows);
    expect([table.head, ...rows.map(table.line)].join('\n')).toBe(formatTable(['id', 'name'], rows));
    // A page showing only the first row keeps the widths it was measured with.
    expect(table.line([1, 'short'])).toBe('1   short');
    expect(table.head.split('\n')[1]).toBe('--  ------------------');
  });
});
