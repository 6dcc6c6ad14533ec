/**
 * A connector's start-up check runs once per process. The bin's front runs it itself (it answers
 * initialize before the full server is loaded) and marks it done here, so the server it hands
 * over to does not run it again. The mark is on `globalThis`: the front and the server are
 * separate bundles, each with its own copy of this module.
 */
const MARKS = Symbol.for('patchbay.startupChecked');

function marks(): Set<string> {
  const global = globalThis as Record<symbol, unknown>;
  let set = global[MARKS] as Set<string> | undefined;
  if (!set) {
    set = new Set();
    global[MARKS] = set;
  }
  return set;
}

/** The front ran `connector`'s start-up check in this process. */
export function markStartupChecked(connector: string): void {
  marks().add(connector);
}

export function startupChecked(connector: string): boolean {
  return marks().has(connector);
}
