import { readFile, writeFile } from 'node:fs/promises';
import {
  type ConnectorDefinition,
  type Disposable,
  OPTIONS_BEGIN,
  OPTIONS_END,
  type OptionsSpec,
  renderOptionsTable,
  renderToolsTable,
  replaceBetween,
  TOOLS_BEGIN,
  TOOLS_END,
} from '@patchbay/kit';

/**
 * The README's generated tables must match the code. Returns the expected README; when
 * PATCHBAY_WRITE_DOCS=1 (`pnpm docs`) it is written back instead of compared.
 */
export async function readmeWithCurrentTables<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  readmePath: string,
): Promise<{ actual: string; expected: string }> {
  const actual = await readFile(readmePath, 'utf8');
  let expected = replaceBetween(actual, TOOLS_BEGIN, TOOLS_END, renderToolsTable(def));
  expected = replaceBetween(expected, OPTIONS_BEGIN, OPTIONS_END, renderOptionsTable(def));
  if (process.env.PATCHBAY_WRITE_DOCS === '1' && expected !== actual) {
    await writeFile(readmePath, expected);
    return { actual: expected, expected };
  }
  return { actual, expected };
}
