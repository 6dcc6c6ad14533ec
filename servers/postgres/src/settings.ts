/**
 * Settings that change how PostgreSQL reads SQL text. The SQL checks parse with PostgreSQL's own
 * parser at its defaults; if the database read the same text with other values, a string the
 * checks saw could be code to the database (with standard_conforming_strings off, `'a\'` does not
 * end where the parser ended it). So every transaction pins them to the parser's values before
 * any SQL from a model runs, and no tool may change their defaults for a database or a role.
 */
export const READING_SETTINGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['standard_conforming_strings', 'on'],
  ['backslash_quote', 'safe_encoding'],
  ['escape_string_warning', 'on'],
  ['client_encoding', 'UTF8'],
];

const NAMES = new Set(READING_SETTINGS.map(([name]) => name));

/** True when `name` (any case) is a setting that changes how SQL text is read. */
export function isReadingSetting(name: string): boolean {
  return NAMES.has(name.toLowerCase());
}

/** `SET LOCAL` of each, for the start of a transaction and before each statement of a write. */
export const PIN_READING_SETTINGS = READING_SETTINGS.map(([name, value]) => `SET LOCAL ${name} = '${value}'`).join('; ');
