/**
 * Google-native files — Docs, Sheets, Slides — as small structured models, with the conversions
 * Drive performs on them: export (`files.export`) to Markdown, plain text, HTML, RTF, PDF, CSV and
 * TSV, and import (an upload converted to a Doc or Sheet) from Markdown, plain text, HTML and CSV.
 * The output follows what Google produces where a connector would notice: a Doc's plain text
 * starts with a byte-order mark and uses CRLF, CSV is the first sheet only and rectangular, links
 * in HTML go through Google's redirector.
 */

export const MIME = {
  folder: 'application/vnd.google-apps.folder',
  document: 'application/vnd.google-apps.document',
  spreadsheet: 'application/vnd.google-apps.spreadsheet',
  presentation: 'application/vnd.google-apps.presentation',
  drawing: 'application/vnd.google-apps.drawing',
  form: 'application/vnd.google-apps.form',
  shortcut: 'application/vnd.google-apps.shortcut',
} as const;

export function isGoogleNative(mimeType: string): boolean {
  return mimeType.startsWith('application/vnd.google-apps.');
}

// ---------------------------------------------------------------------------------------------
// Models

export interface Inline {
  text: string;
  bold?: boolean;
  italic?: boolean;
  link?: string;
}

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; content: Inline[] }
  | { type: 'paragraph'; content: Inline[] }
  | { type: 'list'; ordered: boolean; items: { level: number; content: Inline[] }[] }
  | { type: 'table'; rows: Inline[][][] };

export interface DocumentModel {
  kind: 'document';
  blocks: Block[];
}

/** A cell: a value, or a formula with the value it shows. */
export type Cell = string | number | boolean | null | { formula: string; value: string | number | boolean };

export interface SheetTab {
  /** The `gid`: stable, unique in the spreadsheet, not its position. */
  sheetId: number;
  title: string;
  rows: Cell[][];
}

export interface SpreadsheetModel {
  kind: 'spreadsheet';
  locale: string;
  timeZone: string;
  sheets: SheetTab[];
}

export interface Slide {
  objectId: string;
  /** The text of each shape on the slide, in reading order. */
  texts: string[];
  notes?: string;
}

export interface PresentationModel {
  kind: 'presentation';
  slides: Slide[];
}

export type NativeModel = DocumentModel | SpreadsheetModel | PresentationModel;

// ---------------------------------------------------------------------------------------------
// Export formats: what about.get lists (Google's table) and what files.export accepts.

export const EXPORT_FORMATS: Record<string, string[]> = {
  [MIME.document]: [
    'application/rtf',
    'application/vnd.oasis.opendocument.text',
    'text/html',
    'application/pdf',
    'text/x-markdown',
    'text/markdown',
    'application/epub+zip',
    'application/zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'text/plain',
  ],
  [MIME.spreadsheet]: [
    'application/x-vnd.oasis.opendocument.spreadsheet',
    'text/tab-separated-values',
    'application/pdf',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'text/csv',
    'application/zip',
    'application/vnd.oasis.opendocument.spreadsheet',
  ],
  [MIME.presentation]: [
    'application/vnd.oasis.opendocument.presentation',
    'application/pdf',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'text/plain',
  ],
  [MIME.drawing]: ['image/svg+xml', 'image/png', 'application/pdf', 'image/jpeg'],
  [MIME.form]: ['application/zip'],
  'application/vnd.google-apps.script': ['application/vnd.google-apps.script+json'],
  'application/vnd.google-apps.site': ['text/plain'],
  'application/vnd.google-apps.jam': ['application/pdf'],
};

/** Upload types Drive converts to a native type (about.importFormats, abridged to the common ones). */
export const IMPORT_FORMATS: Record<string, string[]> = {
  'text/plain': [MIME.document],
  'text/markdown': [MIME.document],
  'text/x-markdown': [MIME.document],
  'text/html': [MIME.document],
  'application/rtf': [MIME.document],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [MIME.document],
  'application/vnd.oasis.opendocument.text': [MIME.document],
  'text/csv': [MIME.spreadsheet],
  'text/tab-separated-values': [MIME.spreadsheet],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [MIME.spreadsheet],
  'application/vnd.ms-excel': [MIME.spreadsheet],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': [MIME.presentation],
  'application/vnd.ms-powerpoint': [MIME.presentation],
};

/** What an export produced, or why it did not. */
export type ExportResult =
  | { ok: true; body: Buffer; contentType: string }
  | { ok: false; why: 'unsupported' }
  | { ok: false; why: 'not-rendered' };

/**
 * Exports a native model. `unsupported`: Google does not offer this conversion for the type (its
 * 400 `badRequest`). `not-rendered`: Google does, but the emulator does not produce that format
 * (office and OpenDocument packages, EPUB, ZIP, images).
 */
export function exportNative(model: NativeModel | undefined, sourceMime: string, target: string): ExportResult {
  if (!(EXPORT_FORMATS[sourceMime] ?? []).includes(target)) return { ok: false, why: 'unsupported' };
  const text = (body: string, type: string): ExportResult => ({ ok: true, body: Buffer.from(body, 'utf8'), contentType: type });
  if (model?.kind === 'document') {
    switch (target) {
      case 'text/markdown':
      case 'text/x-markdown':
        return text(documentToMarkdown(model), `${target}; charset=utf-8`);
      case 'text/plain':
        return text(documentToText(model), 'text/plain; charset=utf-8');
      case 'text/html':
        return text(documentToHtml(model), 'text/html; charset=utf-8');
      case 'application/rtf':
        return text(
          linesToRtf(
            documentToText(model)
              .replace(/^\ufeff/, '')
              .split('\r\n'),
          ),
          'application/rtf',
        );
      case 'application/pdf':
        return {
          ok: true,
          body: linesToPdf(
            documentToText(model)
              .replace(/^\ufeff/, '')
              .split('\r\n'),
          ),
          contentType: target,
        };
    }
  }
  if (model?.kind === 'spreadsheet') {
    switch (target) {
      case 'text/csv':
        return text(sheetToCsv(model.sheets[0]), 'text/csv');
      case 'text/tab-separated-values':
        return text(sheetToTsv(model.sheets[0]), 'text/tab-separated-values');
      case 'application/pdf':
        return {
          ok: true,
          body: linesToPdf(model.sheets.flatMap((s) => [s.title, ...sheetToTsv(s).split('\n'), ''])),
          contentType: target,
        };
    }
  }
  if (model?.kind === 'presentation') {
    switch (target) {
      case 'text/plain':
        return text(presentationToText(model), 'text/plain; charset=utf-8');
      case 'application/pdf':
        return { ok: true, body: linesToPdf(presentationToText(model).split('\n')), contentType: target };
    }
  }
  return { ok: false, why: 'not-rendered' };
}

/** The searchable text of a native model (what `fullText contains` looks in). */
export function indexableText(model: NativeModel | undefined): string {
  if (!model) return '';
  if (model.kind === 'document') return documentToText(model).replace(/^\ufeff/, '');
  if (model.kind === 'spreadsheet') return model.sheets.map((s) => `${s.title}\n${sheetToTsv(s)}`).join('\n');
  return presentationToText(model);
}

// ---------------------------------------------------------------------------------------------
// Documents

function inlineText(content: Inline[]): string {
  return content.map((i) => i.text).join('');
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_[\]<>`|])/g, '\\$1');
}

function inlineMarkdown(content: Inline[]): string {
  return content
    .map((i) => {
      let out = escapeMarkdown(i.text);
      if (i.link) out = `[${out}](${i.link})`;
      if (i.bold && i.italic) out = `***${out}***`;
      else if (i.bold) out = `**${out}**`;
      else if (i.italic) out = `*${out}*`;
      return out;
    })
    .join('');
}

/** Markdown as Google Docs writes it: ATX headings, `*` bullets, numbered lists, pipe tables. */
export function documentToMarkdown(doc: DocumentModel): string {
  const parts: string[] = [];
  for (const block of doc.blocks) {
    if (block.type === 'heading') parts.push(`${'#'.repeat(block.level)} ${inlineMarkdown(block.content)}`);
    else if (block.type === 'paragraph') {
      const line = inlineMarkdown(block.content);
      parts.push(/^(\d+\.|[-+#])\s/.test(line) ? `\\${line}` : line);
    } else if (block.type === 'list') {
      const counters: number[] = [];
      parts.push(
        block.items
          .map((item) => {
            counters.length = item.level + 1;
            counters[item.level] = (counters[item.level] ?? 0) + 1;
            const marker = block.ordered ? `${counters[item.level]}.` : '*';
            return `${'   '.repeat(item.level)}${marker} ${inlineMarkdown(item.content)}`;
          })
          .join('\n'),
      );
    } else {
      const [head, ...body] = block.rows;
      const width = Math.max(...block.rows.map((r) => r.length));
      const row = (cells: Inline[][]) =>
        `| ${Array.from({ length: width }, (_, i) => inlineMarkdown(cells[i] ?? []).replace(/\n/g, '<br>')).join(' | ')} |`;
      parts.push(
        [row(head ?? []), `| ${Array.from({ length: width }, () => ':----').join(' | ')} |`, ...body.map(row)].join('\n'),
      );
    }
  }
  return `${parts.join('\n\n')}\n`;
}

/** Plain text as Google exports a Doc: a UTF-8 byte-order mark, CRLF line ends, `*` bullets, tab-separated table rows. */
export function documentToText(doc: DocumentModel): string {
  const lines: string[] = [];
  for (const block of doc.blocks) {
    if (block.type === 'heading' || block.type === 'paragraph') lines.push(inlineText(block.content));
    else if (block.type === 'list') {
      const counters: number[] = [];
      for (const item of block.items) {
        counters.length = item.level + 1;
        counters[item.level] = (counters[item.level] ?? 0) + 1;
        lines.push(`${'   '.repeat(item.level)}${block.ordered ? `${counters[item.level]}.` : '*'} ${inlineText(item.content)}`);
      }
    } else for (const row of block.rows) lines.push(row.map(inlineText).join('\t'));
  }
  return `\ufeff${lines.join('\r\n')}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function inlineHtml(content: Inline[]): string {
  return content
    .map((i) => {
      const style = [i.bold ? 'font-weight:700' : '', i.italic ? 'font-style:italic' : ''].filter(Boolean).join(';');
      let out = `<span${style ? ` style="${style}"` : ''}>${escapeHtml(i.text)}</span>`;
      // Google routes every link in an exported Doc through its redirector.
      if (i.link)
        out = `<a href="https://www.google.com/url?q=${encodeURIComponent(i.link)}&amp;sa=D&amp;source=editors">${out}</a>`;
      return out;
    })
    .join('');
}

/** HTML as Google exports a Doc: one page with inline styles, spans inside every block, redirected links. */
export function documentToHtml(doc: DocumentModel): string {
  const body: string[] = [];
  let headingId = 0;
  for (const block of doc.blocks) {
    if (block.type === 'heading')
      body.push(
        `<h${block.level} id="h.${(++headingId).toString(36)}"><span>${inlineHtml(block.content)}</span></h${block.level}>`,
      );
    else if (block.type === 'paragraph') body.push(`<p>${inlineHtml(block.content)}</p>`);
    else if (block.type === 'list') {
      const tag = block.ordered ? 'ol' : 'ul';
      body.push(
        block.items.map((item) => `<${tag} class="lst-${item.level}"><li>${inlineHtml(item.content)}</li></${tag}>`).join(''),
      );
    } else
      body.push(
        `<table>${block.rows.map((row) => `<tr>${row.map((cell) => `<td><p>${inlineHtml(cell)}</p></td>`).join('')}</tr>`).join('')}</table>`,
      );
  }
  return `<html><head><meta content="text/html; charset=UTF-8" http-equiv="content-type"><style type="text/css">body{font-family:Arial}</style></head><body class="doc-content">${body.join('')}</body></html>`;
}

/** Parses inline Markdown: `**bold**`, `*italic*`/`_italic_`, `[text](url)`, backslash escapes. */
export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  const push = (text: string, style: Omit<Inline, 'text'> = {}) => {
    if (text === '') return;
    const last = out[out.length - 1];
    if (last && last.bold === style.bold && last.italic === style.italic && last.link === style.link) last.text += text;
    else out.push({ text, ...style });
  };
  const walk = (text: string, style: Omit<Inline, 'text'>) => {
    let plain = '';
    let i = 0;
    const flush = () => {
      push(plain, style);
      plain = '';
    };
    while (i < text.length) {
      const rest = text.slice(i);
      const ch = text[i]!;
      if (ch === '\\' && i + 1 < text.length) {
        plain += text[i + 1];
        i += 2;
        continue;
      }
      const link = /^\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)/.exec(rest);
      if (link) {
        flush();
        walk(link[1]!, { ...style, link: link[2]! });
        i += link[0].length;
        continue;
      }
      const strong = /^(\*\*\*|\*\*|__|\*|_)((?:\\.|(?!\1).)+?)\1/.exec(rest);
      if (strong && !(ch === '_' && /\w/.test(text[i - 1] ?? ''))) {
        flush();
        const marker = strong[1]!;
        walk(strong[2]!, {
          ...style,
          ...(marker.length !== 1 ? { bold: true } : {}),
          ...(marker.length !== 2 ? { italic: true } : {}),
        });
        i += strong[0].length;
        continue;
      }
      plain += ch;
      i++;
    }
    flush();
  };
  walk(source, {});
  return out.map((i) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== undefined)) as unknown as Inline);
}

/** Converts Markdown to a Doc, as Drive does for an upload of `text/markdown` with a Docs target type. */
export function markdownToDocument(markdown: string): DocumentModel {
  const blocks: Block[] = [];
  const lines = markdown
    .replace(/^\ufeff/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', content: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    const item = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (line.trim() === '') endParagraph();
    else if (heading) {
      endParagraph();
      blocks.push({ type: 'heading', level: heading[1]!.length as 1, content: parseInline(heading[2]!) });
    } else if (item) {
      endParagraph();
      const ordered = /\d/.test(item[2]!);
      const level = Math.floor(item[1]!.replace(/\t/g, '    ').length / 2);
      const last = blocks[blocks.length - 1];
      const entry = { level: Math.min(level, 8), content: parseInline(item[3]!) };
      if (last?.type === 'list' && (last.ordered === ordered || level > 0)) last.items.push(entry);
      else blocks.push({ type: 'list', ordered, items: [entry] });
    } else if (/^\s*\|.*\|\s*$/.test(line)) {
      endParagraph();
      const rows: Inline[][][] = [];
      while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i]!)) {
        const cells = splitTableRow(lines[i]!);
        if (!cells.every((c) => /^\s*:?-{3,}:?\s*$/.test(c))) rows.push(cells.map((c) => parseInline(c.trim())));
        i++;
      }
      i--;
      blocks.push({ type: 'table', rows });
    } else paragraph.push(line.trim());
  }
  endParagraph();
  return { kind: 'document', blocks };
}

function splitTableRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '\\' && inner[i + 1] === '|') {
      cell += '\\|';
      i++;
    } else if (inner[i] === '|') {
      cells.push(cell);
      cell = '';
    } else cell += inner[i];
  }
  cells.push(cell);
  return cells;
}

/** Plain text to a Doc: one paragraph per line. */
export function textToDocument(text: string): DocumentModel {
  const lines = text
    .replace(/^\ufeff/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\n$/, '')
    .split('\n');
  return { kind: 'document', blocks: lines.map((line) => ({ type: 'paragraph', content: line ? [{ text: line }] : [] })) };
}

/** HTML to a Doc, for the common tags (headings, paragraphs, list items, table cells, links, bold, italic). */
export function htmlToDocument(html: string): DocumentModel {
  const markdown = html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(
      /<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi,
      (_m, level: string, inner: string) => `\n\n${'#'.repeat(Number(level))} ${inner}\n\n`,
    )
    .replace(/<li[^>]*>([\s\S]*?)<\/li>/gi, '\n* $1\n')
    .replace(/<a [^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, '[$2]($1)')
    .replace(/<(b|strong)>([\s\S]*?)<\/\1>/gi, '**$2**')
    .replace(/<(i|em)>([\s\S]*?)<\/\1>/gi, '*$2*')
    .replace(/<\/(p|div|tr|table|ul|ol)>|<br\s*\/?>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return markdownToDocument(markdown);
}

// ---------------------------------------------------------------------------------------------
// Spreadsheets

/** The text a cell shows (the Sheets API's FORMATTED_VALUE). */
export function formattedValue(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  const value = typeof cell === 'object' ? cell.value : cell;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

/** The rows up to the last non-empty row, each as wide as the widest non-empty row (a rectangle, as Google exports). */
export function usedGrid(sheet: SheetTab | undefined): string[][] {
  if (!sheet) return [];
  const rows = sheet.rows.map((row) => row.map(formattedValue));
  const trimmed = rows.map((row) => {
    let end = row.length;
    while (end > 0 && row[end - 1] === '') end--;
    return row.slice(0, end);
  });
  let last = trimmed.length;
  while (last > 0 && trimmed[last - 1]!.length === 0) last--;
  const width = Math.max(0, ...trimmed.slice(0, last).map((r) => r.length));
  return trimmed.slice(0, last).map((row) => Array.from({ length: width }, (_, i) => row[i] ?? ''));
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV of one sheet (Drive's `text/csv` export gives the first sheet only). */
export function sheetToCsv(sheet: SheetTab | undefined): string {
  return usedGrid(sheet)
    .map((row) => row.map(csvField).join(','))
    .join('\r\n');
}

export function sheetToTsv(sheet: SheetTab | undefined): string {
  return usedGrid(sheet)
    .map((row) => row.map((v) => v.replace(/[\t\r\n]+/g, ' ')).join('\t'))
    .join('\n');
}

/** Parses CSV (RFC 4180) or TSV into rows; numbers and TRUE/FALSE become typed cells, as Sheets does on import. */
export function parseDelimited(text: string, delimiter: ',' | '\t'): Cell[][] {
  const rows: Cell[][] = [];
  let row: Cell[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  const endField = () => {
    row.push(wasQuoted ? field : typedCell(field));
    field = '';
    wasQuoted = false;
  };
  const source = text.replace(/^\ufeff/, '');
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '' && delimiter === ',') {
      quoted = true;
      wasQuoted = true;
    } else if (ch === delimiter) endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

function typedCell(text: string): Cell {
  if (text === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^(TRUE|FALSE)$/i.test(text)) return text.toUpperCase() === 'TRUE';
  return text;
}

export function delimitedToSpreadsheet(text: string, delimiter: ',' | '\t', title = 'Sheet1'): SpreadsheetModel {
  return {
    kind: 'spreadsheet',
    locale: 'en_US',
    timeZone: 'Etc/GMT',
    sheets: [{ sheetId: 0, title, rows: parseDelimited(text, delimiter) }],
  };
}

// ---------------------------------------------------------------------------------------------
// Presentations

/** Plain text of a presentation, as Google exports it: each slide's shapes in order, slides apart by a blank line. */
export function presentationToText(model: PresentationModel): string {
  return model.slides.map((slide) => slide.texts.join('\n')).join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// RTF and PDF (text only: enough for a reader to extract the words)

function linesToRtf(lines: string[]): string {
  const rtfEscape = (line: string) =>
    [...line]
      .map((ch) => {
        const code = ch.codePointAt(0)!;
        if (ch === '\\' || ch === '{' || ch === '}') return `\\${ch}`;
        if (code > 127) return code > 0xffff ? '?' : `\\u${code > 32767 ? code - 65536 : code}?`;
        return ch;
      })
      .join('');
  return `{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\n${lines.map((l) => `${rtfEscape(l)}\\par`).join('\n')}\n}`;
}

/** A minimal valid PDF (Helvetica, A4, 50 lines a page) holding the lines as text. */
export function linesToPdf(lines: string[]): Buffer {
  const wrapped = lines.flatMap((line) => {
    const out: string[] = [];
    let rest = line;
    while (rest.length > 95) {
      out.push(rest.slice(0, 95));
      rest = rest.slice(95);
    }
    out.push(rest);
    return out;
  });
  const pages: string[][] = [];
  for (let i = 0; i < Math.max(wrapped.length, 1); i += 50) pages.push(wrapped.slice(i, i + 50));
  const pdfString = (s: string) =>
    `(${[...s]
      .map((ch) => (ch.charCodeAt(0) > 126 || ch.charCodeAt(0) < 32 ? '?' : ch))
      .join('')
      .replace(/([\\()])/g, '\\$1')})`;
  const objects: string[] = [];
  /** Appends an object; returns its number (objects count from 1). */
  const add = (body: string) => objects.push(body);
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(''); // pages, filled below
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const page of pages) {
    const stream = `BT /F1 11 Tf 14 TL 50 800 Td ${page.map((l) => `${pdfString(l)} '`).join(' ')} ET`;
    const contentId = add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
    kids.push(
      add(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`,
      ),
    );
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
