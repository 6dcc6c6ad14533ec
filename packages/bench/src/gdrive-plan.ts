import type { ConnectorPlan } from './catalogue.js';
import { GDRIVE_QUERY, observeDoc, observeIds, observeSheets } from './fixtures/gdrive.js';
import type { Fixtures } from './fixtures/index.js';

function drive(fx: Fixtures) {
  if (!fx.gdrive) throw new Error('fixture not set up');
  return fx.gdrive;
}

/**
 * Google Drive: Patchbay against the reference server on the Drive emulator's demo data. The
 * reference reads files only as resources (`gdrive:///{id}`), so its reads are resource reads —
 * which is how a model gets a file from it.
 */
export const gdrivePlan: ConnectorPlan = {
  id: 'gdrive',
  title: 'Google Drive',
  comparator: '@modelcontextprotocol/server-gdrive',
  fixture: 'gdrive',
  patchbay: (fx) => ({ args: [], env: drive(fx).patchbayEnv }),
  comparatorLaunch: (fx) => ({ args: [], env: drive(fx).referenceEnv }),
  calls: (fx) => {
    const g = drive(fx);
    return [
      {
        id: 'search',
        label: `search "${GDRIVE_QUERY}" (full text, 10 results)`,
        patchbay: { tool: 'gdrive_search', args: { text: GDRIVE_QUERY, limit: 10 }, observe: observeIds(g.files) },
        comparator: { tool: 'search', args: { query: GDRIVE_QUERY }, observe: observeIds(g.files) },
      },
      {
        id: 'read-doc',
        label: 'read a Doc',
        patchbay: { tool: 'gdrive_read_file', args: { file_id: g.docId }, observe: observeDoc },
        comparator: { tool: 'resources/read', args: {}, resource: `gdrive:///${g.docId}`, observe: observeDoc },
      },
      {
        id: 'read-sheet',
        label: 'read a 3-sheet spreadsheet',
        patchbay: { tool: 'gdrive_read_file', args: { file_id: g.spreadsheetId }, observe: observeSheets },
        comparator: { tool: 'resources/read', args: {}, resource: `gdrive:///${g.spreadsheetId}`, observe: observeSheets },
      },
    ];
  },
  notes: [
    'The reference has one tool, search; it reads files only as resources (gdrive:///{id}), so its two reads here are resources/read.',
    "Patchbay's first call signs in (a token refresh) and learns the account (every result names it): part of its search time.",
  ],
};
