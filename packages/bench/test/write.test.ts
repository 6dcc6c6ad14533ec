import { describe, expect, it } from 'vitest';
import { datedName, README_BEGIN, README_END, replaceSection } from '../src/report/write.js';

describe('datedName', () => {
  it('names a run by its UTC time, sortable and without colons', () => {
    expect(datedName('2025-11-21T10:05:33.123Z')).toBe('2025-11-21T10-05-33Z.json');
  });
});

describe('replaceSection', () => {
  it('replaces only the text between the bench markers', () => {
    const readme = `# Bench\n\nIntro\n${README_BEGIN}\nold table\n${README_END}\n\nOutro\n`;
    expect(replaceSection(readme, '| new |\n')).toBe(`# Bench\n\nIntro\n${README_BEGIN}\n| new |\n${README_END}\n\nOutro\n`);
  });

  it('refuses a README without the markers instead of appending somewhere', () => {
    expect(() => replaceSection('# Bench\n', 'x')).toThrow(/no <!-- bench:begin/);
  });
});
