import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_IDS } from '../src/catalogue.js';
import { DEFAULT_RUNS, parseArgs, UsageError } from '../src/cli.js';

describe('parseArgs', () => {
  it('measures every connector with the default runs when given nothing', () => {
    expect(parseArgs([])).toEqual({
      only: [...CONNECTOR_IDS],
      runs: DEFAULT_RUNS,
      updateReadme: false,
      gateway: true,
      help: false,
    });
  });

  it('measures the gateway alone with --only gateway, and not when other names are given without it', () => {
    expect(parseArgs(['--only', 'gateway'])).toMatchObject({ only: [], gateway: true });
    expect(parseArgs(['--only', 'git,gateway'])).toMatchObject({ only: ['git'], gateway: true });
    expect(parseArgs(['--only', 'git'])).toMatchObject({ only: ['git'], gateway: false });
  });

  it('takes --only as a comma list or repeated, in catalogue order, without duplicates', () => {
    expect(parseArgs(['--only', 'postgres,git', '--only=git']).only).toEqual(['git', 'postgres']);
  });

  it('ignores the bare -- that pnpm passes through', () => {
    expect(parseArgs(['--', '--only', 'git', '--runs', '3'])).toMatchObject({ only: ['git'], runs: 3 });
  });

  it('names the valid connectors when --only has an unknown one', () => {
    expect(() => parseArgs(['--only', 'gitlab'])).toThrow(/"gitlab" is not a connector; choose from git, postgres/);
  });

  it('rejects runs that are not a whole number from 1 to 50', () => {
    for (const bad of ['0', '2.5', 'many', '51']) expect(() => parseArgs(['--runs', bad])).toThrow(UsageError);
  });

  it('takes --baseline and --node as absolute paths, and leaves them out when not given', () => {
    const options = parseArgs(['--only', 'git', '--baseline', 'before', '--node=/opt/node22/bin/node']);
    expect(options.baseline).toBe(path.resolve('before'));
    expect(options.node).toBe('/opt/node22/bin/node');
    expect(parseArgs(['--only', 'git'])).not.toHaveProperty('baseline');
    expect(parseArgs(['--only', 'git'])).not.toHaveProperty('node');
    expect(() => parseArgs(['--baseline'])).toThrow(/--baseline needs a value/);
  });

  it('rejects a flag without its value and unknown flags', () => {
    expect(() => parseArgs(['--runs'])).toThrow(/--runs needs a value/);
    expect(() => parseArgs(['--only', '--runs', '2'])).toThrow(/--only needs a value/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
  });
});
