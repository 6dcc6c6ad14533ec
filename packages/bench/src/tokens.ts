import { createHash } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

/** The tokenizer every token figure uses, named in the output: GPT-4o's encoding, from gpt-tokenizer. */
export const TOKEN_ENCODING = 'o200k_base (gpt-tokenizer)';

const counted = new Map<string, number>();

/**
 * Tokens of a text. Results repeat across runs (same data, same server) and a 15 MB result takes
 * the tokenizer about a second, so counts are memoised by a digest of the text (not the text:
 * holding every big result would skew the bench's own memory).
 */
export function tokens(text: string): number {
  const key = createHash('sha1').update(text).digest('base64');
  const known = counted.get(key);
  if (known !== undefined) return known;
  const count = countTokens(text);
  counted.set(key, count);
  return count;
}
