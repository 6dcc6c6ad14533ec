/**
 * The route table. Paths are written as the service's API description writes them
 * (`/repos/{owner}/{repo}/issues`), so a route can be looked up in that description by its path;
 * a trailing `+` or `*` on the last parameter (`{path*}`) lets it span several segments, as
 * GitHub's contents and ref paths do (`*` also allows none).
 */
import type { SandboxRequest, SandboxResponse } from './http.js';

export type RouteHandler<C> = (req: SandboxRequest, ctx: C) => SandboxResponse | Promise<SandboxResponse>;

export interface RouteDefinition<C> {
  method: string;
  /** `/repos/{owner}/{repo}/contents/{path*}` */
  path: string;
  /** The service's own name for the operation (GitHub: the OpenAPI `operationId`, Slack: the method). */
  operation?: string;
  handler: RouteHandler<C>;
}

/** A route as it is reported (route table, log): the path in the service's own notation. */
export interface RouteInfo {
  method: string;
  /** The path with the span markers removed: `/repos/{owner}/{repo}/contents/{path}`. */
  path: string;
  operation: string | null;
}

type Segment = { literal: string } | { param: string; span: 'one' | 'some' | 'any' };

interface CompiledRoute<C> {
  definition: RouteDefinition<C>;
  info: RouteInfo;
  segments: Segment[];
}

export interface RouteMatch<C> {
  route: RouteDefinition<C>;
  info: RouteInfo;
  params: Record<string, string>;
}

function compile(path: string): Segment[] {
  const parts = path.split('/').slice(1);
  return parts.map((part, index) => {
    const param = /^\{([A-Za-z_][A-Za-z0-9_]*)([+*]?)\}$/.exec(part);
    if (!param) {
      if (part.includes('{')) throw new Error(`route ${path}: a parameter must be a whole segment ("${part}")`);
      return { literal: part };
    }
    const span = param[2] === '+' ? 'some' : param[2] === '*' ? 'any' : 'one';
    if (span !== 'one' && index !== parts.length - 1) throw new Error(`route ${path}: only the last parameter may span segments`);
    return { param: param[1]!, span };
  });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Splits a request path into segments; a trailing slash is ignored. */
function split(path: string): string[] {
  const parts = path.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export class Router<C> {
  readonly #routes: CompiledRoute<C>[];

  constructor(routes: readonly RouteDefinition<C>[]) {
    const seen = new Set<string>();
    this.#routes = routes.map((definition) => {
      const method = definition.method.toUpperCase();
      const key = `${method} ${definition.path.replace(/[+*]\}/g, '}')}`;
      if (seen.has(key)) throw new Error(`duplicate route ${key}`);
      seen.add(key);
      return {
        definition,
        segments: compile(definition.path),
        info: { method, path: definition.path.replace(/[+*]\}/g, '}'), operation: definition.operation ?? null },
      };
    });
  }

  /** Every route, in the service's notation (for the route table and coverage checks). */
  list(): RouteInfo[] {
    return this.#routes.map((r) => r.info);
  }

  /**
   * The best route for a request: literal segments win over parameters, and single-segment
   * parameters over spans (`/releases/latest` before `/releases/{release_id}`).
   */
  match(method: string, path: string): RouteMatch<C> | undefined {
    const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const parts = split(path);
    let best: { route: CompiledRoute<C>; params: Record<string, string>; score: number[] } | undefined;
    for (const route of this.#routes) {
      if (route.info.method !== wanted) continue;
      const result = matchSegments(route.segments, parts);
      if (!result) continue;
      if (!best || compareScores(result.score, best.score) > 0) best = { route, ...result };
    }
    return best && { route: best.route.definition, info: best.route.info, params: best.params };
  }
}

function matchSegments(segments: Segment[], parts: string[]): { params: Record<string, string>; score: number[] } | undefined {
  const params: Record<string, string> = {};
  const score: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if ('literal' in segment) {
      if (parts[i] !== segment.literal) return undefined;
      score.push(3);
      continue;
    }
    if (segment.span === 'one') {
      const part = parts[i];
      if (part === undefined || part === '') return undefined;
      params[segment.param] = decode(part);
      score.push(2);
      continue;
    }
    const rest = parts.slice(i);
    if (rest.length === 1 && rest[0] === '') rest.pop();
    if (segment.span === 'some' && rest.length === 0) return undefined;
    params[segment.param] = rest.map(decode).join('/');
    score.push(1);
    return { params, score };
  }
  return parts.length === segments.length ? { params, score } : undefined;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
