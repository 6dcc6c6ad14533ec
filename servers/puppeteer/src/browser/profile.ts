import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ToolError } from '@patchbay/kit';

/**
 * Preferences every profile gets before Chromium starts. WebRTC sends UDP (STUN, TURN, media)
 * straight to any address a page names, past the guard proxy, which carries no UDP; with this
 * policy WebRTC uses only TCP through the proxy. Chrome takes it only from a profile (or an
 * enterprise policy): its --force-webrtc-ip-handling-policy switch is read by content_shell alone.
 */
const FORCED_PREFERENCES = { webrtc: { ip_handling_policy: 'disable_non_proxied_udp' } };

export interface Profile {
  dir: string;
  /** Remove the profile if it was made for this launch; the operator's stays. */
  dispose(): Promise<void>;
}

/** The operator's profile folder with the forced preferences merged in, or a fresh one that goes with the browser. */
export async function prepareProfile(operatorDir: string | undefined): Promise<Profile> {
  const dir = operatorDir ? path.resolve(operatorDir) : await mkdtemp(path.join(tmpdir(), 'patchbay-puppeteer-profile-'));
  try {
    await forcePreferences(dir);
  } catch (error) {
    if (!operatorDir) await removeProfile(dir);
    throw new ToolError(`the browser profile folder ${dir} cannot be prepared: ${(error as Error).message}`, {
      hint: operatorDir
        ? 'Point --user-data-dir at a folder this server can write.'
        : 'Check that the temporary folder is writable.',
    });
  }
  return { dir, dispose: operatorDir ? async () => undefined : () => removeProfile(dir) };
}

async function forcePreferences(dir: string): Promise<void> {
  const file = path.join(dir, 'Default', 'Preferences');
  let prefs: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) prefs = parsed as Record<string, unknown>;
  } catch {
    // No profile yet (or one Chromium would reset anyway): start from the forced preferences.
  }
  const webrtc = prefs.webrtc && typeof prefs.webrtc === 'object' ? (prefs.webrtc as Record<string, unknown>) : {};
  prefs.webrtc = { ...webrtc, ...FORCED_PREFERENCES.webrtc };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(prefs));
}

function removeProfile(dir: string): Promise<void> {
  // A Chromium process that was just killed may still be letting go of its files.
  return rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
