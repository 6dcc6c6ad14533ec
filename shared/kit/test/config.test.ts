import { describe, expect, it } from 'vitest';
import { ConfigError, option, parseOptions, redact, renderHelp } from '../src/index.js';

const specs = {
  url: option.string({ env: ['DATABASE_URL'], positional: true, secret: true, description: 'URL' }),
  count: option.number({ env: ['COUNT'], default: 5, description: 'How many' }),
  verbose: option.boolean({ env: ['VERBOSE'], description: 'Talk more' }),
  tags: option.list({ env: ['TAGS'], description: 'Tags' }),
  mode: option.string({ default: 'fast', choices: ['fast', 'slow'], description: 'Mode' }),
};

describe('parseOptions', () => {
  it('applies defaults, then environment, then flags', () => {
    expect(parseOptions(specs, { argv: [], env: {} }).values.count).toBe(5);
    expect(parseOptions(specs, { argv: [], env: { COUNT: '7' } }).values.count).toBe(7);
    const parsed = parseOptions(specs, { argv: ['--count', '9'], env: { COUNT: '7' } });
    expect(parsed.values.count).toBe(9);
    expect(parsed.sources.count).toBe('flag');
  });

  it('reads booleans with --flag, --no-flag and true/false', () => {
    expect(parseOptions(specs, { argv: ['--verbose'], env: {} }).values.verbose).toBe(true);
    expect(parseOptions(specs, { argv: ['--no-verbose'], env: { VERBOSE: 'true' } }).values.verbose).toBe(false);
    expect(parseOptions(specs, { argv: ['--verbose=false'], env: {} }).values.verbose).toBe(false);
  });

  it('collects repeated and comma-separated list values', () => {
    expect(parseOptions(specs, { argv: ['--tags', 'a,b', '--tags=c'], env: {} }).values.tags).toEqual(['a', 'b', 'c']);
    expect(parseOptions(specs, { argv: [], env: { TAGS: 'x, y' } }).values.tags).toEqual(['x', 'y']);
  });

  it('takes a positional argument for the option that accepts one', () => {
    expect(parseOptions(specs, { argv: ['postgres://u@h/db'], env: {} }).values.url).toBe('postgres://u@h/db');
  });

  it('reports every problem at once, with suggestions', () => {
    try {
      parseOptions(specs, { argv: ['--cuont', '3', '--count', 'x', '--mode', 'warp', '--tags'], env: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/Unknown option --cuont/);
      expect(problems.join('\n')).toMatch(/--count must be a number/);
      expect(problems.join('\n')).toMatch(/--mode must be one of fast, slow/);
      expect(problems.join('\n')).toMatch(/--tags needs a value/);
    }
  });

  it('registers secret values so they are redacted everywhere', () => {
    parseOptions(specs, { argv: [], env: { DATABASE_URL: 'postgres://app:s3cr3t-pw@db/prod' } });
    expect(redact('connecting to postgres://app:s3cr3t-pw@db/prod')).not.toContain('s3cr3t-pw');
  });

  it('still answers --help when other options are wrong', () => {
    expect(parseOptions(specs, { argv: ['--help', '--count', 'x'], env: {} }).help).toBe(true);
  });

  it('renders help with every flag, its environment variable and default', () => {
    const help = renderHelp({ bin: 'x', description: 'd' }, [{ title: 'Options', specs }]);
    expect(help).toContain('--count <number>');
    expect(help).toContain('[env: COUNT]');
    expect(help).toContain('(default: 5)');
    expect(help).toContain('(fast, slow)');
  });
});
