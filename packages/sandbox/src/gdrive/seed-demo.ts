/**
 * The `demo` data set: what someone trying `patchbay-sandbox gdrive` with `patchbay-gdrive` sees.
 * Alex (the signed-in user) has a project folder with a Doc (headings, lists, a table, links), a
 * three-sheet spreadsheet, a deck, text, a PDF and an image; a Doc with a revision history written
 * by two people; a file Sam shared; a trashed draft; a shared drive with its own Doc and Sheet; a
 * folder shared with the service account. Sam also has a shared drive Alex is not in.
 */
import { linesToPdf, MIME } from './documents.js';
import { type GdriveState, scopeUrl } from './state.js';

export const DEMO = {
  user: 'alex@example.com',
  colleague: 'sam@example.com',
  external: 'jordan@partner.example',
  serviceAccount: 'patchbay-drive@patchbay-sandbox.iam.gserviceaccount.com',
} as const;

const PLAN = `# Apollo project plan

The plan for **Apollo**: moving the team's documents into one place. See the [design notes](https://example.com/apollo/design) and the budget sheet.

## Goals

* Search that finds files by *content*, not only by name
* Shared drives included
   * the Engineering drive first
* Every answer names its source

## Milestones

1. Prototype by March
2. Beta with two teams
3. General availability

## Owners

| Area | Owner | Due |
| :---- | :---- | :---- |
| Search | Alex Rivera | 2024-03-01 |
| Sharing | Sam Chen | 2024-04-15 |
| Export | Jordan Lee | 2024-05-30 |

### Risks

Rate limits on bulk export; tokens that expire during long jobs.
`;

const HANDBOOK = `# Team handbook

## Working hours

Core hours are 10:00 to 16:00 in your time zone.

## Tools

* Drive for documents
* Sheets for trackers
`;

const SPEC = `# Drive connector spec

## Reading

Docs are read as Markdown, Sheets as CSV per sheet, Slides as text per slide.

## Writing

Every update names the version it was based on, so a concurrent edit is never overwritten.
`;

/** A 1×1 transparent PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export function seedDemo(state: GdriveState): void {
  state.clock.at('2024-01-08T09:00:00Z');
  state.addUser({ email: DEMO.user, displayName: 'Alex Rivera' });
  state.addUser({ email: DEMO.colleague, displayName: 'Sam Chen' });
  state.addUser({ email: DEMO.external, displayName: 'Jordan Lee' });
  state.addServiceAccount({
    name: 'patchbay-drive',
    delegatedScopes: ['drive', 'drive.readonly', 'drive.metadata.readonly'],
    domain: 'example.com',
  });

  const client = state.addOAuthClient({ name: 'Patchbay (desktop)', type: 'installed' });
  const scopes = ['drive', 'openid', 'email'];
  state.defaultAccessToken = state.issueAccessToken({
    subject: DEMO.user,
    scopes: ['drive'],
    clientId: client.clientId,
    lifetimeSeconds: 10 * 365 * 24 * 3600,
    name: 'alex-default',
  }).token;
  state.defaultRefreshToken = state.issueRefreshToken({
    subject: DEMO.user,
    clientId: client.clientId,
    scopes,
    name: 'alex-default',
  }).token;
  state.consents.set(`${client.clientId} ${DEMO.user}`, new Set(scopes.map(scopeUrl)));

  // Alex's My Drive
  const projects = state.addFolder({ name: 'Projects' });
  const apollo = state.addFolder({ name: 'Apollo', parent: projects.id, description: 'Everything about project Apollo' });
  state.clock.at('2024-01-09T10:00:00Z');
  state.addDocument({ name: 'Apollo project plan', parent: apollo.id, markdown: PLAN, starred: true });
  state.addSpreadsheet({
    name: 'Apollo budget',
    parent: apollo.id,
    sheets: [
      {
        title: 'Summary',
        rows: [
          ['Quarter', 'Revenue', 'Costs', 'Margin'],
          ['Q1', 120000, 80000, { formula: '=B2-C2', value: 40000 }],
          ['Q2', 135000, 90500, { formula: '=B3-C3', value: 44500 }],
        ],
      },
      {
        title: 'Q1 sales',
        rows: [
          ['Region', 'Customer', 'Amount', 'Note'],
          ['North', 'Acme, Inc.', 42000, 'renewal'],
          ['South', 'Globex', 38000, 'said "yes" on a call'],
          ['West', 'Initech', 40000, ''],
        ],
      },
      {
        title: 'Q2 sales',
        rows: [
          ['Region', 'Customer', 'Amount', 'Note'],
          ['North', 'Umbrella', 51000, 'multi-line\nnote'],
          ['East', 'Hooli', 84000, null],
        ],
      },
    ],
  });
  state.addPresentation({
    name: 'Apollo kickoff',
    parent: apollo.id,
    slides: [
      { texts: ['Apollo', 'Kickoff, January 2024'] },
      { texts: ['Why', 'Documents are spread over five tools'], notes: 'Mention the survey.' },
      { texts: ['Next steps', 'Prototype by March'] },
    ],
  });
  state.addFile({
    name: 'notes.txt',
    parent: apollo.id,
    mimeType: 'text/plain',
    content: 'Call Sam about the budget.\nApollo launch checklist: search, sharing, export.\n',
  });
  state.addFile({
    name: 'Apollo brief.pdf',
    parent: apollo.id,
    mimeType: 'application/pdf',
    content: linesToPdf(['Apollo brief', '', 'One place for the team documents.']),
  });
  state.addFile({ name: 'logo.png', parent: apollo.id, mimeType: 'image/png', content: PNG });
  state.addFile({
    name: 'server.log',
    parent: projects.id,
    mimeType: 'text/plain',
    content: Array.from(
      { length: 2000 },
      (_, i) =>
        `2024-01-09T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z line ${i + 1}`,
    ).join('\n'),
  });
  state.addFile({
    name: "O'Brien contract.txt",
    mimeType: 'text/plain',
    content: "Contract with O'Brien & Partners, signed 2024-01-02.\n",
  });

  // A Doc with history: created by Alex, edited by Sam, then by Alex.
  state.clock.at('2024-01-10T09:00:00Z');
  const roadmap = state.addDocument({ name: 'Roadmap 2024', parent: projects.id, markdown: '# Roadmap 2024\n\n* Q1: search\n' });
  state.share(roadmap.id, { role: 'writer', emailAddress: DEMO.colleague });
  state.clock.at('2024-02-01T14:30:00Z');
  state.editAs(DEMO.colleague, roadmap.id, { markdown: '# Roadmap 2024\n\n* Q1: search\n* Q2: sharing\n' });
  state.clock.at('2024-03-01T08:15:00Z');
  state.editAs(DEMO.user, roadmap.id, { markdown: '# Roadmap 2024\n\n* Q1: search (done)\n* Q2: sharing\n* Q3: export\n' });

  // A trashed draft.
  const archive = state.addFolder({ name: 'Archive' });
  const draft = state.addDocument({ name: 'Old draft', parent: archive.id, markdown: 'An abandoned draft.' });
  Object.assign(draft, { trashed: true, explicitlyTrashed: true, trashedTime: state.clock.now(), trashingUser: DEMO.user });

  // Shared with Alex by Sam.
  state.clock.at('2024-02-05T11:00:00Z');
  const handbook = state.addDocument({ name: 'Team handbook', owner: DEMO.colleague, markdown: HANDBOOK });
  state.share(handbook.id, { role: 'reader', emailAddress: DEMO.user });

  // A shared drive Alex organizes, with Sam as a writer.
  const engineering = state.addSharedDrive({
    name: 'Engineering',
    members: { [DEMO.user]: 'organizer', [DEMO.colleague]: 'writer' },
  });
  const specs = state.addFolder({ name: 'Specs', parent: engineering.id });
  state.addDocument({ name: 'Drive connector spec', parent: specs.id, markdown: SPEC });
  state.addSpreadsheet({
    name: 'Release tracker',
    parent: engineering.id,
    sheets: [
      {
        title: 'Open',
        rows: [
          ['Item', 'Owner'],
          ['Shared drives', 'Alex'],
          ['Retries', 'Sam'],
        ],
      },
      {
        title: 'Done',
        rows: [
          ['Item', 'Owner'],
          ['Search', 'Alex'],
        ],
      },
      { title: 'Notes, misc', rows: [['Anything else']] },
    ],
  });
  // A shared drive Alex is not a member of.
  const marketing = state.addSharedDrive({ name: 'Marketing', members: { [DEMO.colleague]: 'organizer' } });
  state.addDocument({ name: 'Campaign brief', parent: marketing.id, markdown: '# Campaign brief\n\nConfidential to marketing.' });

  // A folder shared with the service account.
  const robot = state.addFolder({ name: 'Shared with the robot' });
  state.share(robot.id, { role: 'writer', emailAddress: DEMO.serviceAccount });
  state.addDocument({
    name: 'Robot instructions',
    parent: robot.id,
    markdown: '# Robot instructions\n\nSummarise new files every morning.',
  });

  // A link-shared file: reachable by id, not found by search.
  const link = state.addFile({
    name: 'Public announcement.txt',
    owner: DEMO.colleague,
    mimeType: 'text/plain',
    content: 'Apollo launches in May.\n',
  });
  state.share(link.id, { type: 'anyone', role: 'reader', allowFileDiscovery: false });

  state.addNative({ name: 'Feedback form', mimeType: MIME.form });
  state.clock.resume();
}

/** The same data, with a service account's key file as the credential `env` hands out. */
export function seedServiceAccount(state: GdriveState): void {
  seedDemo(state);
  state.credentialKind = 'serviceAccount';
}
