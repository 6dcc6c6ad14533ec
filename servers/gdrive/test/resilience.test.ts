/**
 * When Drive fails: reads and idempotent writes retried after a 5xx, a rate limit or a dropped
 * connection, within the wait the operator allows; a POST never repeated blindly; a rate limit
 * reported as a rate limit (never "permission denied"); one rate-limit gate per account.
 */
import { callError, callOk } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { useDrive } from './helpers.js';

const d = useDrive();

const calls = (operation: string, since = 0) =>
  d.sandbox.log.entries({ since }).filter((e: { operation: string | null }) => e.operation === operation);
const mark = () => d.sandbox.log.entries().at(-1)?.seq ?? 0;

describe('retries', () => {
  it('repeats a read after a 5xx and after a dropped connection, and logs it without the token', async () => {
    const logs: string[] = [];
    const { client } = await d.connect({ logs });
    await callOk(client, 'gdrive_get_account', {}); // signed in before the faults
    const since = mark();
    d.sandbox.faults.add({ kind: 'error', status: 503, route: 'drive.files.list', times: 1 });
    d.sandbox.faults.add({ kind: 'error', status: 500, route: 'drive.files.list', times: 1 });
    d.sandbox.faults.add({ kind: 'reset', when: 'before', route: 'drive.files.list', times: 1 });
    const { data } = await callOk<{ files: unknown[] }>(client, 'gdrive_search', { name: 'apollo' });
    expect(data.files).toHaveLength(5);
    expect(calls('drive.files.list', since).map((e: { status: number }) => e.status)).toEqual([503, 500, 0, 200]);
    const retried = logs.filter((l) => l.includes('retrying Google Drive'));
    expect(retried).toHaveLength(3);
    for (const token of d.sandbox.state.accessTokens.keys()) expect(logs.join('\n')).not.toContain(token);
  });

  it('waits out a rate limit (Drive’s 403 userRateLimitExceeded and 429) on reads and on a rename', async () => {
    const { client } = await d.connect();
    await callOk(client, 'gdrive_get_account', {});
    const since = mark();
    d.sandbox.faults.add({ kind: 'rateLimit', limit: 'primary', route: 'drive.files.get', times: 1 });
    d.sandbox.faults.add({ kind: 'rateLimit', limit: 'secondary', route: 'drive.files.update', times: 1 });
    const renamed = await callOk<{ file: { name: string } }>(client, 'gdrive_rename_file', {
      file_id: d.id('notes.txt'),
      name: 'renamed.txt',
    });
    expect(renamed.data.file.name).toBe('renamed.txt');
    expect(calls('drive.files.get', since).map((e: { status: number }) => e.status)).toEqual([403, 200]);
    expect(calls('drive.files.update', since).map((e: { status: number }) => e.status)).toEqual([429, 200]);
  });

  it('reports a 5xx that outlasts the retries, saying how often it tried', async () => {
    const { client } = await d.connect();
    await callOk(client, 'gdrive_get_account', {});
    d.sandbox.faults.add({ kind: 'error', status: 503, route: 'drive.files.list' });
    const text = await callError(client, 'gdrive_search', { name: 'apollo' });
    expect(text).toMatch(
      /^Google Drive failed \(503: Service Unavailable\) after 3 retries: the fault is on Google Drive's side/,
    );
  });

  it('reports a rate limit beyond --rate-limit-wait as a rate limit, never as a missing permission', async () => {
    const { client } = await d.connect({ argv: ['--rate-limit-wait', '1'] });
    await callOk(client, 'gdrive_get_account', {});
    d.sandbox.faults.add({ kind: 'rateLimit', limit: 'primary', route: 'drive.files.list', forMs: 60_000 });
    const text = await callError(client, 'gdrive_search', { name: 'apollo' });
    expect(text).toMatch(/^Google Drive rate limit reached for this credential \(403\)/);
    expect(text).not.toMatch(/permission/i);
  });

  it('never repeats a share (a POST) after a 5xx, and says to check whether it took effect', async () => {
    const { client } = await d.connect();
    await callOk(client, 'gdrive_get_account', {});
    const since = mark();
    d.sandbox.faults.add({ kind: 'error', status: 503, route: 'drive.permissions.create', times: 1 });
    const text = await callError(client, 'gdrive_share_file', {
      file_id: d.id('notes.txt'),
      role: 'reader',
      email: 'sam@example.com',
      notify: false,
    });
    expect(calls('drive.permissions.create', since)).toHaveLength(1);
    expect(text).toMatch(/This POST was not repeated.*check whether it took effect/);
  });

  it('repeats an idempotent write (a rename) after a lost answer, and it lands once', async () => {
    const { client } = await d.connect();
    await callOk(client, 'gdrive_get_account', {});
    const id = d.id('notes.txt');
    const before = d.sandbox.state.file(id).version as number;
    d.sandbox.faults.add({ kind: 'reset', when: 'after', route: 'drive.files.update', times: 1 });
    await callOk(client, 'gdrive_rename_file', { file_id: id, name: 'once.txt' });
    expect(d.sandbox.state.file(id).name).toBe('once.txt');
    // Applied twice with the same name: one more version for the first, and nothing else changed.
    expect(d.sandbox.state.file(id).version).toBeGreaterThan(before);
  });

  it('a failing token endpoint is retried too, and the 5xx never reads as a sign-in problem', async () => {
    const { client } = await d.connect();
    d.sandbox.faults.add({ kind: 'error', status: 503, route: '/token', times: 1 });
    const { data } = await callOk<{ account: string }>(client, 'gdrive_list_folder', {});
    expect(data.account).toBe('alex@example.com');
    expect(d.sandbox.log.entries({ path: '/token' }).map((e: { status: number }) => e.status)).toEqual([503, 200]);
  });
});
