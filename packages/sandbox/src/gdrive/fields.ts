/**
 * Google's partial-response `fields` parameter: `files(id,name),nextPageToken`, `files/id`,
 * `permissions(emailAddress,role)`, `*`. A mask is parsed to a tree, checked against the
 * response's schema (an unknown field is Google's 400 "Invalid field selection"), and applied
 * to the full response, arrays element by element.
 */
import { driveDiscovery } from './discovery.js';

export class FieldMaskError extends Error {
  override readonly name = 'FieldMaskError';
  /** The selection Google names in its message. */
  readonly selection: string;

  constructor(selection: string, message = `Invalid field selection ${selection}`) {
    super(message);
    this.selection = selection;
  }
}

/** A level of a mask: `all` for `*`; each named field with its own sub-mask, or null for the whole value. */
export interface FieldTree {
  all: boolean;
  children: Map<string, FieldTree | null>;
}

function emptyTree(): FieldTree {
  return { all: false, children: new Map() };
}

/** Splits at commas outside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new FieldMaskError(text);
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) throw new FieldMaskError(text);
  parts.push(current);
  return parts;
}

function merge(tree: FieldTree, name: string, sub: FieldTree | null): void {
  if (name === '*') {
    if (sub) throw new FieldMaskError('*');
    tree.all = true;
    return;
  }
  const existing = tree.children.get(name);
  if (existing === undefined) tree.children.set(name, sub);
  else if (existing === null || sub === null) tree.children.set(name, null);
  else {
    existing.all ||= sub.all;
    for (const [k, v] of sub.children) merge(existing, k, v);
  }
}

/** Parses a `fields` value. */
export function parseFields(mask: string): FieldTree {
  const tree = emptyTree();
  for (const raw of splitTop(mask)) {
    const item = raw.trim();
    if (item === '') throw new FieldMaskError(mask);
    const open = item.indexOf('(');
    const pathText = open >= 0 ? item.slice(0, open) : item;
    if (open >= 0 && !item.endsWith(')')) throw new FieldMaskError(item);
    const inner = open >= 0 ? parseFields(item.slice(open + 1, -1)) : null;
    const path = pathText.trim().split(/[/.]/);
    if (path.some((p) => !/^(\*|[A-Za-z_][A-Za-z0-9_]*)$/.test(p))) throw new FieldMaskError(pathText);
    // a/b/c(d) → a → b → c(d)
    let sub: FieldTree | null = inner;
    for (let i = path.length - 1; i > 0; i--) {
      const level = emptyTree();
      merge(level, path[i]!, sub);
      sub = level;
    }
    merge(tree, path[0]!, sub);
  }
  return tree;
}

type SchemaName = keyof typeof driveDiscovery.schemas;

/** Checks every named field against the schema (and the schemas its properties refer to). */
export function checkFields(tree: FieldTree, schema: SchemaName): void {
  const properties = driveDiscovery.schemas[schema] as Record<string, string | null>;
  for (const [name, sub] of tree.children) {
    if (!(name in properties)) throw new FieldMaskError(name);
    const ref = properties[name];
    if (sub && ref && ref in driveDiscovery.schemas) checkFields(sub, ref as SchemaName);
  }
}

/** The parts of `value` the mask selects. */
export function applyFields(value: unknown, tree: FieldTree | null): unknown {
  if (tree === null || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => applyFields(v, tree));
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (tree.all) for (const [k, v] of Object.entries(source)) if (!tree.children.has(k)) out[k] = v;
  for (const [name, sub] of tree.children) if (source[name] !== undefined) out[name] = applyFields(source[name], sub);
  return out;
}
