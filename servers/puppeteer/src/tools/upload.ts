import { stat } from 'node:fs/promises';
import path from 'node:path';
import { badArgument, resolveInside, ToolError } from '@patchbay/kit';
import type { ElementHandle } from 'puppeteer-core';
import * as z from 'zod';
import { switches } from '../config.js';
import { tool } from '../kit.js';
import { actionShape, afterAction, dialogOpened, locate, refInput, selectorInput } from './common.js';
import { snapshotAfterInput } from './page-snapshot.js';

/**
 * A file the model names, proved to lie inside the operator's --upload-dir: relative to it, no
 * `..` segment, and its real path (symlinks followed) inside the folder's real path, so a link
 * placed in the folder cannot hand out a file elsewhere. Only regular files.
 */
export async function uploadable(dir: string, name: string, argument: string): Promise<{ path: string; bytes: number }> {
  if (path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) {
    throw badArgument(
      argument,
      `${JSON.stringify(name)} must be a path relative to the upload folder, without "..".`,
      'Give a file name like report.pdf or forms/photo.png.',
    );
  }
  const { path: real } = await resolveInside([dir], name, argument);
  const info = await stat(real);
  if (!info.isFile()) throw badArgument(argument, `${JSON.stringify(name)} is not a regular file.`);
  return { path: real, bytes: info.size };
}

export const uploadFileTool = tool({
  name: 'puppeteer_upload_file',
  title: 'Upload files',
  description:
    'Put files from the operator’s upload folder into a file input (by ref or selector), or into the file chooser an element opens when clicked.',
  toolset: 'browse',
  access: 'write',
  openWorld: true,
  enabled: switches.puppeteer_upload_file,
  enabledBy: 'the operator starts the server with --upload-dir <folder>',
  input: {
    ref: refInput,
    selector: selectorInput,
    files: z.array(z.string().min(1).max(1_000)).min(1).max(20).describe('Paths relative to the upload folder'),
    snapshot: snapshotAfterInput,
  },
  output: actionShape,
  async handler(args, ctx) {
    const dir = ctx.services.options.uploadDir;
    // Checked here too: an operator switch is enforced by the server, not only by the tool list.
    if (!dir)
      throw new ToolError('uploads are turned off on this server.', {
        hint: 'The operator can allow them with --upload-dir <folder>.',
      });
    const files: Array<{ path: string; bytes: number }> = [];
    for (const [i, name] of args.files.entries()) files.push(await uploadable(dir, name, `files[${i}]`));
    const tab = await ctx.services.tab();
    const { handle, label } = await locate(ctx, tab, args);
    const before = tab.url();
    const timeout = ctx.services.options.actionTimeout;
    const paths = files.map((f) => f.path);
    const opened = await tab
      .ask(
        'uploading files',
        async (page) => {
          const isFileInput = await handle.evaluate((el) => el instanceof HTMLInputElement && el.type === 'file');
          if (isFileInput) {
            await (handle as ElementHandle<HTMLInputElement>).uploadFile(...paths);
            return;
          }
          // A button or label that opens a file chooser: click it and answer the chooser.
          const [chooser] = await Promise.all([
            page.waitForFileChooser({ timeout, signal: ctx.signal }).catch(() => undefined),
            handle.asLocator().setTimeout(timeout).click({ signal: ctx.signal }),
          ]);
          if (!chooser) {
            throw badArgument(
              args.ref ? 'ref' : 'selector',
              `${label} is not a file input and clicking it opened no file chooser.`,
              'Pick the <input type=file> (or the button that opens the chooser) from a snapshot.',
            );
          }
          if (!chooser.isMultiple() && paths.length > 1) {
            await chooser.cancel();
            throw badArgument('files', `${label} takes one file, not ${paths.length}.`);
          }
          await chooser.accept(paths);
        },
        { ms: 3 * timeout + 1_000 },
      )
      .then(() => false, dialogOpened);
    const names = args.files.map((f, i) => `${f} (${files[i]?.bytes ?? 0} bytes)`).join(', ');
    return afterAction(
      ctx,
      tab,
      before,
      `Uploaded ${names} into ${label}.${opened ? ' It opened a dialog.' : ''}`,
      args.snapshot,
    );
  },
});
