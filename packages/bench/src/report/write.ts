import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResult } from '../model.js';

export const README_BEGIN = '<!-- bench:begin (written by `pnpm bench -- --update-readme`; do not edit) -->';
export const README_END = '<!-- bench:end -->';

/** A file name for this run that sorts by date: 2025-11-21T10-05-33Z.json. */
export function datedName(date: string): string {
  return `${date.slice(0, 19).replace(/:/g, '-')}Z.json`;
}

/** Raw figures as JSON (latest and dated) and the chart, in the results folder. */
export async function writeResults(dir: string, result: BenchResult, svg: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const files = [path.join(dir, 'latest.json'), path.join(dir, datedName(result.date)), path.join(dir, 'latest.svg')];
  await writeFile(files[0] as string, json);
  await writeFile(files[1] as string, json);
  await writeFile(files[2] as string, svg);
  return files;
}

/** Replace the text between the README's bench markers; throws when the markers are missing. */
export function replaceSection(readme: string, content: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin === -1 || end === -1 || end < begin) throw new Error(`the README has no ${README_BEGIN} … ${README_END} section`);
  return `${readme.slice(0, begin + README_BEGIN.length)}\n${content.trim()}\n${readme.slice(end)}`;
}

export async function updateReadme(readmePath: string, content: string): Promise<void> {
  await writeFile(readmePath, replaceSection(await readFile(readmePath, 'utf8'), content));
}
