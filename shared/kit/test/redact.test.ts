import { describe, expect, it } from 'vitest';
import { redact, registerSecret } from '../src/index.js';

describe('redact', () => {
  it('masks passwords in URLs', () => {
    expect(redact('postgres://app:hunter2@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });
  it('masks password= in every spelling: key=value connection strings, quoted, spaced, any case, URL queries', () => {
    const cases: Array<[string, string[]]> = [
      ['host=db password=hunter22 user=app', ['hunter22']],
      ['host=db password = hunter22 dbname=x', ['hunter22']],
      ["host=db password='two words' user=app", ['two', 'words']],
      ["host=db password = 'it\\'s a secret' user=app", ["it\\'s", 'a secret']],
      ["host=db password='it''s secret' user=app", ['it', 's secret']],
      ['HOST=db PASSWORD=Hunter22 USER=app', ['Hunter22']],
      ['postgres://u@h/db?sslmode=require&password=hunter22&x=1', ['hunter22']],
      ['pwd=hunter22;uid=app', ['hunter22']],
      ['password="double quoted" rest', ['double', 'quoted']],
    ];
    for (const [text, secrets] of cases) {
      const masked = redact(text);
      for (const secret of secrets) expect(masked, text).not.toContain(secret);
    }
    expect(redact('host=db password=hunter22 user=app')).toBe('host=db password=*** user=app');
    expect(redact("host=db password='two words' user=app")).toBe('host=db password=*** user=app');
    expect(redact('postgres://u@h/db?password=hunter22&x=1')).toBe('postgres://u@h/db?password=***&x=1');
  });
  it('masks well-known token shapes', () => {
    expect(redact('token ghp_abcdefghijklmnopqrstuvwxyz0123456789')).not.toContain('ghp_abc');
    expect(redact('xoxb-1234-5678-abcdefgh')).toBe('***');
    expect(redact('Authorization: Bearer abc.def.ghi-jkl')).toBe('Authorization: Bearer ***');
  });
  it('masks registered values wherever they appear', () => {
    registerSecret('plain-secret-value');
    expect(redact('the key is plain-secret-value!')).toBe('the key is ***!');
  });
});
