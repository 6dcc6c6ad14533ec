import type { CustomTypesConfig } from 'pg';

/**
 * How values from a model's query come back: PostgreSQL's own text form for everything except
 * booleans and numbers that JSON holds exactly. Timestamps stay as the database wrote them (no
 * silent conversion to the server's time zone), numeric keeps its precision, bigint becomes a
 * number only when it is exact.
 */
const OID = { bool: 16, int8: 20, int2: 21, int4: 23, oid: 26, float4: 700, float8: 701 } as const;

const identity = (value: string) => value;
const toNumber = (value: string) => {
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
};
const toInt8 = (value: string) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
};

export const rawTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number) => {
    switch (oid) {
      case OID.bool:
        return (value: string) => value === 't';
      case OID.int2:
      case OID.int4:
      case OID.oid:
      case OID.float4:
      case OID.float8:
        return toNumber;
      case OID.int8:
        return toInt8;
      default:
        return identity;
    }
  }) as CustomTypesConfig['getTypeParser'],
};

export type Cell = string | number | boolean | null;

/** Cut a long text value, saying how much was left out, so one huge cell cannot eat the budget. */
export function cutCell(value: unknown, limit: number): { value: Cell; cut: boolean } {
  if (value === null || value === undefined) return { value: null, cut: false };
  if (typeof value === 'number' || typeof value === 'boolean') return { value, cut: false };
  const text = typeof value === 'string' ? value : String(value);
  if (text.length <= limit) return { value: text, cut: false };
  return { value: `${text.slice(0, limit)}…[${text.length - limit} more characters]`, cut: true };
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record. */
export function csvLine(values: readonly Cell[]): string {
  return values.map(csvField).join(',');
}
