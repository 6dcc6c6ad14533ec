/**
 * The part of the Sheets API v4 a Drive connector needs to read every sheet of a spreadsheet —
 * Drive's `text/csv` export gives only the first, and Google's answer for the others is the
 * Sheets API: `spreadsheets.get` lists the sheets (title, `sheetId`, grid size), and
 * `spreadsheets.values.get` / `values:batchGet` read ranges in A1 notation (`'Q1 sales'!A1:D20`,
 * `Sheet2`, `A:C`). Served at Google's paths (`/v4/spreadsheets/…`) on the same origin as Drive,
 * with the same tokens, and the Sheets API's error shape (no `errors` array).
 */
import type { Route } from '../core/emulator.js';
import type { SandboxRequest, SandboxResponse } from '../core/http.js';
import { callerOf, json } from './api.js';
import { type Cell, formattedValue, MIME, type SheetTab, type SpreadsheetModel } from './documents.js';
import { sheetsError } from './errors.js';
import { applyFields, FieldMaskError, parseFields } from './fields.js';
import type { GdriveState } from './state.js';

/** Scopes that reach spreadsheet values. */
export const SHEETS_SCOPES = ['spreadsheets', 'spreadsheets.readonly', 'drive', 'drive.readonly', 'drive.file'];

const COMMON_PARAMS = [
  '$.xgafv',
  'access_token',
  'alt',
  'callback',
  'fields',
  'key',
  'oauth_token',
  'prettyPrint',
  'quotaUser',
  'uploadType',
  'upload_protocol',
];

/** Query parameters per method (from the Sheets v4 discovery document), with enum values where it has them. */
export const SHEETS_METHODS: Record<string, Record<string, readonly string[] | 'string' | 'boolean'>> = {
  'sheets.spreadsheets.get': { ranges: 'string', includeGridData: 'boolean', excludeTablesInBandedRanges: 'boolean' },
  'sheets.spreadsheets.values.get': {
    majorDimension: ['DIMENSION_UNSPECIFIED', 'ROWS', 'COLUMNS'],
    valueRenderOption: ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'],
    dateTimeRenderOption: ['SERIAL_NUMBER', 'FORMATTED_STRING'],
  },
  'sheets.spreadsheets.values.batchGet': {
    ranges: 'string',
    majorDimension: ['DIMENSION_UNSPECIFIED', 'ROWS', 'COLUMNS'],
    valueRenderOption: ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'],
    dateTimeRenderOption: ['SERIAL_NUMBER', 'FORMATTED_STRING'],
  },
};

/** Checks a Sheets request's parameters as Google's front end does. */
export function checkSheetsParameters(req: SandboxRequest, method: string): void {
  const params = SHEETS_METHODS[method] ?? {};
  for (const [name, value] of req.query) {
    const def = params[name] ?? (COMMON_PARAMS.includes(name) ? 'string' : undefined);
    if (def === undefined)
      throw sheetsError(
        400,
        `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`,
      );
    if (def === 'boolean' && value !== 'true' && value !== 'false')
      throw sheetsError(400, `Invalid value at '${name}' (TYPE_BOOL), "${value}"`);
    if (Array.isArray(def) && !def.includes(value))
      throw sheetsError(400, `Invalid value at '${name}' (type.googleapis.com/google.apps.sheets.v4.${name}), "${value}"`);
  }
}

const GRID_ROWS = 1000;
const GRID_COLUMNS = 26;

function gridSize(sheet: SheetTab): { rows: number; columns: number } {
  return {
    rows: Math.max(GRID_ROWS, sheet.rows.length),
    columns: Math.max(GRID_COLUMNS, ...sheet.rows.map((r) => r.length)),
  };
}

/** `A` → 0, `AA` → 26. */
function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** A sheet title as A1 notation writes it: quoted when it is not a plain word. */
function quoteTitle(title: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) ? title : `'${title.replace(/'/g, "''")}'`;
}

interface GridRange {
  sheet: SheetTab;
  startRow: number;
  startColumn: number;
  endRow: number;
  endColumn: number;
}

/** Parses A1 notation against a spreadsheet; Google's 400 "Unable to parse range" when it cannot. */
export function parseA1(model: SpreadsheetModel, range: string): GridRange {
  const fail = () => sheetsError(400, `Unable to parse range: ${range}`);
  let title: string | undefined;
  let cells = range;
  const quoted = /^'((?:[^']|'')+)'(?:!(.*))?$/.exec(range);
  if (quoted) {
    title = quoted[1]!.replace(/''/g, "'");
    cells = quoted[2] ?? '';
  } else if (range.includes('!')) {
    title = range.slice(0, range.lastIndexOf('!'));
    cells = range.slice(range.lastIndexOf('!') + 1);
  } else if (model.sheets.some((s) => s.title === range)) {
    title = range;
    cells = '';
  }
  const sheet = title === undefined ? model.sheets[0] : model.sheets.find((s) => s.title === title);
  if (!sheet) throw fail();
  const grid = gridSize(sheet);
  if (cells === '') return { sheet, startRow: 0, startColumn: 0, endRow: grid.rows - 1, endColumn: grid.columns - 1 };
  const ref = /^([A-Za-z]*)(\d*)$/;
  const [from = '', to] = cells.split(':');
  const a = ref.exec(from);
  const b = to === undefined ? a : ref.exec(to);
  if (!a || !b || (a[1] === '' && a[2] === '') || (b[1] === '' && b[2] === '')) throw fail();
  const startColumn = a[1] ? columnIndex(a[1]) : 0;
  const startRow = a[2] ? Number(a[2]) - 1 : 0;
  const endColumn = b[1] ? columnIndex(b[1]) : grid.columns - 1;
  const endRow = b[2] ? Number(b[2]) - 1 : grid.rows - 1;
  if (startRow < 0 || endRow < startRow || endColumn < startColumn) throw fail();
  return { sheet, startRow, startColumn, endRow, endColumn };
}

function a1Of(r: GridRange): string {
  return `${quoteTitle(r.sheet.title)}!${columnLetters(r.startColumn)}${r.startRow + 1}:${columnLetters(r.endColumn)}${r.endRow + 1}`;
}

function rendered(cell: Cell | undefined, option: string): string | number | boolean {
  if (option === 'FORMULA' && cell && typeof cell === 'object') return cell.formula;
  if (option === 'UNFORMATTED_VALUE') {
    const value = cell && typeof cell === 'object' ? cell.value : cell;
    return value === null || value === undefined ? '' : value;
  }
  return formattedValue(cell);
}

/** A ValueRange: the requested range, its values with trailing empty cells and rows left out, as Google does. */
function valueRange(r: GridRange, req: SandboxRequest): Record<string, unknown> {
  const option = req.query.get('valueRenderOption') ?? 'FORMATTED_VALUE';
  const columns = req.query.get('majorDimension') === 'COLUMNS';
  let rows: (string | number | boolean)[][] = [];
  for (let i = r.startRow; i <= Math.min(r.endRow, r.sheet.rows.length - 1); i++) {
    const source = r.sheet.rows[i] ?? [];
    const row: (string | number | boolean)[] = [];
    for (let j = r.startColumn; j <= Math.min(r.endColumn, source.length - 1); j++) row.push(rendered(source[j], option));
    while (row.length > 0 && row[row.length - 1] === '') row.pop();
    rows.push(row);
  }
  while (rows.length > 0 && rows[rows.length - 1]!.length === 0) rows.pop();
  if (columns) {
    const width = Math.max(0, ...rows.map((row) => row.length));
    rows = Array.from({ length: width }, (_, j) => {
      const column = rows.map((row) => row[j] ?? '');
      while (column.length > 0 && column[column.length - 1] === '') column.pop();
      return column;
    });
  }
  return { range: a1Of(r), majorDimension: columns ? 'COLUMNS' : 'ROWS', ...(rows.length > 0 ? { values: rows } : {}) };
}

function spreadsheet(req: SandboxRequest, state: GdriveState, id: string): { model: SpreadsheetModel; name: string } {
  const caller = callerOf(req);
  const file = state.files.get(id);
  if (!file) throw sheetsError(404, 'Requested entity was not found.');
  const access = state.access(file, caller.email);
  const limited = !['spreadsheets', 'spreadsheets.readonly', 'drive', 'drive.readonly'].some((s) => caller.scopes.has(s));
  if (!access || (limited && !file.clients.has(caller.clientId))) throw sheetsError(403, 'The caller does not have permission');
  if (file.mimeType !== MIME.spreadsheet || file.content.kind !== 'native' || file.content.model?.kind !== 'spreadsheet')
    throw sheetsError(400, 'This operation is not supported for this document', 'FAILED_PRECONDITION');
  return { model: file.content.model, name: file.name };
}

function withFields(req: SandboxRequest, body: Record<string, unknown>): SandboxResponse {
  const mask = req.query.get('fields');
  if (!mask) return json(req, 200, body);
  try {
    return json(req, 200, applyFields(body, parseFields(mask)));
  } catch (error) {
    if (error instanceof FieldMaskError) throw sheetsError(400, `Request contains an invalid argument. ${error.message}`);
    throw error;
  }
}

function cellData(cell: Cell | undefined): Record<string, unknown> {
  if (cell === null || cell === undefined) return {};
  const value = typeof cell === 'object' ? cell.value : cell;
  const typed = (v: string | number | boolean) =>
    typeof v === 'number' ? { numberValue: v } : typeof v === 'boolean' ? { boolValue: v } : { stringValue: v };
  return {
    userEnteredValue: typeof cell === 'object' ? { formulaValue: cell.formula } : typed(value),
    effectiveValue: typed(value),
    formattedValue: formattedValue(cell),
  };
}

export function sheetsRoutes(): Route<GdriveState>[] {
  return [
    {
      method: 'GET',
      path: '/v4/spreadsheets/{spreadsheetId}',
      operation: 'sheets.spreadsheets.get',
      handler: (req, { state }) => {
        const id = req.params['spreadsheetId']!;
        const { model, name } = spreadsheet(req, state, id);
        const ranges = req.query.getAll('ranges').map((r) => parseA1(model, r));
        const withData = req.query.get('includeGridData') === 'true';
        const sheets = model.sheets
          .filter((s) => ranges.length === 0 || ranges.some((r) => r.sheet === s))
          .map((s) => {
            const grid = gridSize(s);
            const sheetRanges = ranges.filter((r) => r.sheet === s);
            return {
              properties: {
                sheetId: s.sheetId,
                title: s.title,
                index: model.sheets.indexOf(s),
                sheetType: 'GRID',
                gridProperties: { rowCount: grid.rows, columnCount: grid.columns },
              },
              ...(withData
                ? {
                    data: (sheetRanges.length > 0 ? sheetRanges : [parseA1(model, `'${s.title.replace(/'/g, "''")}'`)]).map(
                      (r) => ({
                        startRow: r.startRow,
                        startColumn: r.startColumn,
                        rowData: s.rows
                          .slice(r.startRow, Math.min(r.endRow, s.rows.length - 1) + 1)
                          .map((row) => ({ values: row.slice(r.startColumn, r.endColumn + 1).map(cellData) })),
                      }),
                    ),
                  }
                : {}),
            };
          });
        return withFields(req, {
          spreadsheetId: id,
          properties: { title: name, locale: model.locale, autoRecalc: 'ON_CHANGE', timeZone: model.timeZone },
          sheets,
          spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${id}/edit`,
        });
      },
    },
    {
      method: 'GET',
      path: '/v4/spreadsheets/{spreadsheetId}/values/{range}',
      operation: 'sheets.spreadsheets.values.get',
      handler: (req, { state }) => {
        const { model } = spreadsheet(req, state, req.params['spreadsheetId']!);
        return withFields(req, valueRange(parseA1(model, req.params['range']!), req));
      },
    },
    {
      method: 'GET',
      path: '/v4/spreadsheets/{spreadsheetId}/values:batchGet',
      operation: 'sheets.spreadsheets.values.batchGet',
      handler: (req, { state }) => {
        const id = req.params['spreadsheetId']!;
        const { model } = spreadsheet(req, state, id);
        const ranges = req.query.getAll('ranges');
        return withFields(req, { spreadsheetId: id, valueRanges: ranges.map((r) => valueRange(parseA1(model, r), req)) });
      },
    },
  ];
}
