import { describe, expect, it } from 'vitest';
import { markdownTable } from '../src/report/table.js';

describe('markdownTable', () => {
  it('pads every column to its widest cell, right-aligning where asked, as the formatter would', () => {
    expect(
      markdownTable(
        ['figure', 'value'],
        ['left', 'right'],
        [
          ['start-up (ms)', '62 (58–70)'],
          ['tokens', '1,051'],
        ],
      ),
    ).toEqual([
      '| figure        |      value |',
      '| ------------- | ---------: |',
      '| start-up (ms) | 62 (58–70) |',
      '| tokens        |      1,051 |',
    ]);
  });

  it('counts code points, so arrows, dashes and ⚠ do not misalign a column', () => {
    const lines = markdownTable(
      ['a', 'b'],
      ['left', 'right'],
      [
        ['spawn → x', '0.5× ⚠'],
        ['y', '1'],
      ],
    );
    expect(new Set(lines.map((l) => [...l].length)).size).toBe(1);
  });

  it('keeps columns at least three wide and fills missing cells', () => {
    expect(markdownTable(['a', 'b'], ['left', 'right'], [['x']])).toEqual(['| a   |   b |', '| --- | --: |', '| x   |     |']);
  });

  it('escapes pipes and newlines inside cells', () => {
    expect(markdownTable(['a'], ['left'], [['x|y\nz']])[2]).toBe('| x\\|y z |');
  });
});
