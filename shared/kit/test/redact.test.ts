import { describe, expect, it } from 'vitest';
import { redact, registerSecret } from '../src/index.js';

describe('redact', () => {
  it('masks passwords in URLs', () => {
    expect(redact('postgres://app:hunter2@db:5432/x')).toBe('postgres://app:***@db:5432/x');
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
