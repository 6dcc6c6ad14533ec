/**
 * A spreadsheet as text: every sheet as CSV, one section each. Drive's own CSV export gives the
 * first sheet only (the reference server's answer for every spreadsheet), so the values come
 * from the Sheets API, which reads any sheet and any A1 range.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { ToolError, untrustedLine } from '@patchbay/kit';
import * as z from 'zod';

export const sheetInfoSchema = z.object({
  title: z.string(),
  sheet_id: z.number(),
  rows: z.number(),
  columns: z.number(),
  shown: z.boolean(),
});
export type SheetInfo = z.infer<typeof sheetInfoSchema>;

/** A sheet title inside an A1 range: always quoted, quotes doubled. */
export function a1Sheet(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

/** One CSV field, quoted when it must be (RFC 4180). */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\n');
}

export interface SpreadsheetText {
  sheets: SheetInfo[];
  text: string;
  /** The range read, when one was asked for. */
  range?: string;
}

/**
 * Read the spreadsheet: all sheets (each under a `## <title>` line), one sheet by title, or one
 * A1 range (`A1:D20` in `sheet` or the first sheet, or `'Q1 sales'!A1:D20`).
 */
export async function readSpreadsheet(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  choice: { sheet?: string | undefined; range?: string | undefined },
  opts: { signal: AbortSignal },
): Promise<SpreadsheetText> {
  const { data } = await api.spreadsheets.get(
    { spreadsheetId, fields: 'sheets.properties(sheetId,title,index,gridProperties(rowCount,columnCount))' },
    opts,
  );
  const all = (data.sheets ?? []).map((s) => s.properties ?? {});
  const titles = all.map((p) => p.title ?? '');
  let wanted: string[];
  let range: string | undefined;
  if (choice.sheet !== undefined) {
    const match = titles.find((t) => t === choice.sheet) ?? titles.find((t) => t.toLowerCase() === choice.sheet?.toLowerCase());
    if (match === undefined) {
      throw new ToolError(`This spreadsheet has no sheet "${untrustedLine(choice.sheet, 100)}".`, {
        argument: 'sheet',
        hint: `Its sheets: ${titles.map((t) => `"${untrustedLine(t, 100)}"`).join(', ')}.`,
      });
    }
    wanted = [match];
  } else {
    wanted = titles;
  }
  if (choice.range !== undefined) {
    if (!/^[^\n\r]{1,300}$/.test(choice.range)) throw new ToolError('is not an A1 range.', { argument: 'range' });
    const explicit = choice.range.includes('!');
    range = explicit ? choice.range : `${a1Sheet(wanted[0] ?? titles[0] ?? 'Sheet1')}!${choice.range}`;
    const { data: values } = await api.spreadsheets.values.get({ spreadsheetId, range }, opts);
    const rows = (values.values ?? []) as unknown[][];
    const shownTitle = explicit ? titleOfRange(values.range ?? choice.range, titles) : wanted[0];
    const sheets = all.map((p) => infoOf(p, p.title === shownTitle ? rows : undefined));
    return { sheets, range: values.range ?? range, text: `## ${untrustedLine(values.range ?? range)}\n${toCsv(rows)}` };
  }
  const { data: batch } = await api.spreadsheets.values.batchGet({ spreadsheetId, ranges: wanted.map(a1Sheet) }, opts);
  const byTitle = new Map<string, unknown[][]>();
  for (const [i, vr] of (batch.valueRanges ?? []).entries()) byTitle.set(wanted[i] ?? '', (vr.values ?? []) as unknown[][]);
  const sheets = all.map((p) => infoOf(p, byTitle.get(p.title ?? '')));
  const sections = sheets
    .filter((s) => s.shown)
    .map((s) => {
      const rows = byTitle.get(s.title) ?? [];
      return `## ${untrustedLine(s.title)} (${s.rows} rows × ${s.columns} columns)\n${rows.length ? toCsv(rows) : '(empty)'}`;
    });
  return { sheets, text: sections.join('\n\n') };
}

function infoOf(p: sheets_v4.Schema$SheetProperties, rows: unknown[][] | undefined): SheetInfo {
  return {
    title: p.title ?? '',
    sheet_id: p.sheetId ?? 0,
    rows: rows ? rows.length : (p.gridProperties?.rowCount ?? 0),
    columns: rows ? Math.max(0, ...rows.map((r) => r.length)) : (p.gridProperties?.columnCount ?? 0),
    shown: rows !== undefined,
  };
}

/** `'Q1 sales'!A1:D4` → `Q1 sales`. */
function titleOfRange(range: string, titles: string[]): string | undefined {
  const bang = range.lastIndexOf('!');
  if (bang < 0) return titles[0];
  const raw = range.slice(0, bang);
  const title = raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw;
  return titles.find((t) => t === title) ?? titles.find((t) => t.toLowerCase() === title.toLowerCase());
}
