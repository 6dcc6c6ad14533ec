/**
 * Load metrics from the page's own Performance APIs. The observer script runs at the start of
 * every document while a trace is on (registered before the navigation), so it sees every
 * largest-contentful-paint candidate, layout shift and long task from the first byte; the
 * collector reads them with the navigation and paint timings the browser keeps anyway. The
 * page's own timeline, rather than a CDP trace: no trace file to parse, and the numbers are the
 * ones web-vitals and Lighthouse report.
 */
export const OBSERVER_SCRIPT = `(() => {
  const store = { lcp: null, cls: 0, shifts: 0, longTasks: [] };
  Object.defineProperty(window, '__patchbayVitals', { value: store, enumerable: false });
  const watch = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(onEntry)).observe({ type, buffered: true });
    } catch {}
  };
  watch('largest-contentful-paint', (e) => {
    const el = e.element;
    store.lcp = { time: e.startTime, size: e.size, element: el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') : (e.url || '') };
  });
  watch('layout-shift', (e) => { if (!e.hadRecentInput) { store.cls += e.value; store.shifts += 1; } });
  watch('longtask', (e) => { store.longTasks.push([e.startTime, e.duration]); });
})();`;

export interface Vitals {
  ttfb?: number;
  fcp?: number;
  lcp?: { time: number; size: number; element: string };
  cls: number;
  shifts: number;
  domContentLoaded?: number;
  load?: number;
  longTasks: { count: number; totalMs: number; longestMs: number; blockingMs: number };
  resources: { count: number; transferBytes: number };
  observed: boolean;
}

/** Runs in the page: what the observer gathered, and the timings the browser kept. */
export function collectVitals(): Vitals {
  const store = (
    window as unknown as {
      __patchbayVitals?: { lcp: Vitals['lcp'] | null; cls: number; shifts: number; longTasks: Array<[number, number]> };
    }
  ).__patchbayVitals;
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const fcpEntry = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
  const fcp = fcpEntry?.startTime;
  const tasks = store?.longTasks ?? [];
  const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    ...(nav && nav.responseStart > 0 ? { ttfb: round(nav.responseStart) } : {}),
    ...(fcp !== undefined ? { fcp: round(fcp) } : {}),
    ...(store?.lcp ? { lcp: { ...store.lcp, time: round(store.lcp.time) } } : {}),
    cls: Math.round((store?.cls ?? 0) * 1_000) / 1_000,
    shifts: store?.shifts ?? 0,
    ...(nav && nav.domContentLoadedEventEnd > 0 ? { domContentLoaded: round(nav.domContentLoadedEventEnd) } : {}),
    ...(nav && nav.loadEventEnd > 0 ? { load: round(nav.loadEventEnd) } : {}),
    longTasks: {
      count: tasks.length,
      totalMs: round(tasks.reduce((sum, [, d]) => sum + d, 0)),
      longestMs: round(Math.max(0, ...tasks.map(([, d]) => d))),
      // Total blocking time: the part of each long task past 50 ms, after the first paint.
      blockingMs: round(
        tasks.filter(([start]) => fcp === undefined || start >= fcp).reduce((sum, [, d]) => sum + Math.max(0, d - 50), 0),
      ),
    },
    resources: {
      count: resources.length,
      transferBytes: resources.reduce((sum, r) => sum + (r.transferSize || 0), 0) + (nav?.transferSize ?? 0),
    },
    observed: store !== undefined,
  };
}

/** How the metrics read for a model, with the web-vitals thresholds named. */
export function describeVitals(v: Vitals): string[] {
  const ms = (n: number | undefined) => (n === undefined ? 'n/a' : `${Math.round(n)} ms`);
  const grade = (n: number | undefined, good: number, poor: number) =>
    n === undefined ? '' : n <= good ? ' (good)' : n <= poor ? ' (needs improvement)' : ' (poor)';
  return [
    `TTFB ${ms(v.ttfb)}${grade(v.ttfb, 800, 1_800)}; FCP ${ms(v.fcp)}${grade(v.fcp, 1_800, 3_000)}`,
    `LCP ${ms(v.lcp?.time)}${grade(v.lcp?.time, 2_500, 4_000)}${v.lcp ? ` — ${v.lcp.element || 'an image'}, ${v.lcp.size} px²` : ''}`,
    `CLS ${v.cls}${grade(v.cls, 0.1, 0.25)} from ${v.shifts} layout shift${v.shifts === 1 ? '' : 's'}`,
    `Long tasks: ${v.longTasks.count}, ${ms(v.longTasks.totalMs)} in all, longest ${ms(v.longTasks.longestMs)}; total blocking time ${ms(v.longTasks.blockingMs)}${grade(v.longTasks.blockingMs, 200, 600)}`,
    `DOMContentLoaded ${ms(v.domContentLoaded)}, load ${ms(v.load)}; ${v.resources.count} resources, ${v.resources.transferBytes.toLocaleString('en-US')} bytes transferred`,
  ];
}
