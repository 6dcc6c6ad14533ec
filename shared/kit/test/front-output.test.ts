import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { dropReplayAnswer, REPLAY_ID } from '../src/front/front.js';

/** A stdout that records each write as it arrives. */
function recorder() {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { stream, writes };
}

function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => out.write(text, (error) => (error ? reject(error) : resolve())));
}

const replayAnswer = `{"jsonrpc":"2.0","id":"${REPLAY_ID}","result":{"protocolVersion":"2025-06-18"}}\n`;

describe("the front's stdout for the full server", () => {
  it('drops the answer to the replayed initialize and nothing else, even a later message that looks like it', async () => {
    const { stream, writes } = recorder();
    const out = dropReplayAnswer(stream, true);
    const early = '{"jsonrpc":"2.0","method":"notifications/message","params":{}}\n';
    // A tool's structured result may hold any key and value: after the drop it is not inspected.
    const lookalike = `{"jsonrpc":"2.0","id":3,"result":{"structuredContent":{"id":"${REPLAY_ID}"}}}\n`;
    await write(out, early);
    await write(out, replayAnswer);
    await write(out, lookalike);
    expect(writes.join('')).toBe(early + lookalike);
    // The message after the drop went out as the server wrote it, in one write.
    expect(writes.at(-1)).toBe(lookalike);
  });

  it('keeps a message split across writes whole, around the dropped answer', async () => {
    const { stream, writes } = recorder();
    const out = dropReplayAnswer(stream, true);
    const next = '{"jsonrpc":"2.0","id":1,"result":{"content":[]}}\n';
    await write(out, replayAnswer + next.slice(0, 10));
    await write(out, next.slice(10));
    expect(writes.join('')).toBe(next);
  });

  it('drops nothing when no initialize was replayed', async () => {
    const { stream, writes } = recorder();
    const out = dropReplayAnswer(stream, false);
    await write(out, replayAnswer);
    expect(writes.join('')).toBe(replayAnswer);
  });
});
