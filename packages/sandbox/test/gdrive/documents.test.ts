/**
 * The conversions and parsers on their own: Markdown in and out of a Doc, CSV in and out of a
 * Sheet, the `fields` mask and `q` string literals.
 */
import { describe, expect, it } from 'vitest';
import {
  documentToMarkdown,
  documentToText,
  markdownToDocument,
  parseDelimited,
  parseInline,
  sheetToCsv,
} from '../../src/gdrive/documents.js';
import { applyFields, FieldMaskError, parseFields } from '../../src/gdrive/fields.js';
import { nameContains, parseQuery, tokenize } from '../../src/gdrive/query.js';

describe('Docs from and to Markdown', () => {
  it('round-trips headings, nested and numbered lists, tables, links and emphasis', () => {
    const source = [
      '# Title',
      '',
      'Text with **bold**, *italic* and a [link](https://example.com/a_b).',
      '',
      '* one',
      '   * one point one',
      '* two',
      '',
      '1. first',
      '2. second',
      '',
      '| a | b |',
      '| :---- | :---- |',
      '| 1 | 2 \\| 3 |',
      '',
    ].join('\n');
    expect(documentToMarkdown(markdownToDocument(source))).toBe(source);
  });

  it('escapes Markdown characters that were plain text, so they stay text', () => {
    const doc = {
      kind: 'document' as const,
      blocks: [{ type: 'paragraph' as const, content: [{ text: 'a *star* and [brackets]' }] }],
    };
    const md = documentToMarkdown(doc);
    expect(md).toBe('a \\*star\\* and \\[brackets\\]\n');
    expect(markdownToDocument(md).blocks).toEqual(doc.blocks);
  });

  it('reads inline emphasis without touching snake_case words', () => {
    expect(parseInline('snake_case_name and _it_')).toEqual([{ text: 'snake_case_name and ' }, { text: 'it', italic: true }]);
  });

  it('writes plain text with a byte-order mark and CRLF line ends', () => {
    expect(documentToText(markdownToDocument('# A\n\n* b\n'))).toBe('\ufeffA\r\n* b');
  });
});

describe('Sheets from and to CSV', () => {
  it('parses quoted fields with commas, quotes and newlines, and types numbers and booleans', () => {
    expect(parseDelimited('a,"b, c","say ""hi""",3,TRUE\n"line\nbreak",,x\n', ',')).toEqual([
      ['a', 'b, c', 'say "hi"', 3, true],
      ['line\nbreak', null, 'x'],
    ]);
  });

  it('writes a rectangle: trailing empty cells and rows dropped, short rows padded, fields quoted when needed', () => {
    const sheet = { sheetId: 0, title: 'S', rows: [['a', 'b', null], ['c,d'], [], [null, null]] };
    expect(sheetToCsv(sheet)).toBe('a,b\r\n"c,d",');
  });
});

describe('fields masks', () => {
  it('parses nested selections and applies them to arrays', () => {
    const tree = parseFields('files(id,owners/emailAddress),nextPageToken');
    const body = { kind: 'x', nextPageToken: 't', files: [{ id: '1', name: 'n', owners: [{ emailAddress: 'a@b', me: true }] }] };
    expect(applyFields(body, tree)).toEqual({ nextPageToken: 't', files: [{ id: '1', owners: [{ emailAddress: 'a@b' }] }] });
    expect(applyFields(body, parseFields('*'))).toEqual(body);
  });

  it('rejects unbalanced parentheses and empty selections', () => {
    for (const mask of ['files(id', 'files)id(', 'id,,name', 'files()'])
      expect(() => parseFields(mask), mask).toThrow(FieldMaskError);
  });
});

describe('q literals', () => {
  it("unescapes \\' and \\\\ only, in single or double quotes", () => {
    expect(tokenize("'it\\'s' \"a\\\\b\"")).toEqual([
      { kind: 'string', value: "it's" },
      { kind: 'string', value: 'a\\b' },
    ]);
    expect(() => tokenize("'\\x'")).toThrow();
    expect(parseQuery("name contains \"x' or '1'='1\"")).toEqual({
      kind: 'term',
      field: 'name',
      op: 'contains',
      value: "x' or '1'='1",
    });
  });

  it('matches name contains at the start of words only', () => {
    expect(nameContains('Quarterly report 2024.pdf', 'rep')).toBe(true);
    expect(nameContains('Quarterly report 2024.pdf', 'quarterly r')).toBe(true);
    expect(nameContains('HelloWorld', 'world')).toBe(false);
    expect(nameContains('report_2024', '2024')).toBe(true);
  });
});
