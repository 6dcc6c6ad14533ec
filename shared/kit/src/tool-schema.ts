import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { type AnyTool, annotationsFor, type Shape } from './define.js';
import { ToolError } from './errors.js';
import { closest } from './suggest.js';

/**
 * What tools/list says about a tool, from its declaration. Input schemas are closed
 * (`additionalProperties: false`): the kit refuses arguments a tool does not take, and says so
 * in the schema so a model does not guess.
 */
export function toolListEntry(tool: AnyTool<unknown>): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(z.object(tool.input as Shape).strict(), {
      target: 'draft-7',
      io: 'input',
    }) as Tool['inputSchema'],
    outputSchema: z.toJSONSchema(z.object(tool.output as Shape), { target: 'draft-7', io: 'output' }) as Tool['outputSchema'],
    annotations: annotationsFor(tool),
  };
}

const schemas = new WeakMap<object, z.ZodType>();
const strictSchemas = new WeakMap<object, z.ZodType>();

/**
 * The zod object a tool's structured result must match, strict: the published output schema
 * forbids fields it does not declare (`additionalProperties: false`), so a client that listed the
 * tools rejects such a result; the kit refuses it first, as a bug, instead of zod silently
 * dropping the field here.
 */
export function outputObjectOf(shape: Shape): z.ZodType {
  let schema = strictSchemas.get(shape);
  if (!schema) {
    schema = z.object(shape).strict();
    strictSchemas.set(shape, schema);
  }
  return schema;
}

/** The zod object for a tool's input or output shape, built once per shape. */
export function objectOf(shape: Shape): z.ZodType {
  let schema = schemas.get(shape);
  if (!schema) {
    schema = z.object(shape);
    schemas.set(shape, schema);
  }
  return schema;
}

/**
 * Check a call's arguments against the tool's input: an argument the tool does not take is an
 * error naming it and the closest one it does take (`repo` → `repository`), never silently
 * dropped; a value of the wrong shape names the argument and what was expected.
 */
export function checkArguments(tool: AnyTool<unknown>, raw: Record<string, unknown>): Record<string, unknown> {
  const shape = tool.input as Shape;
  const known = Object.keys(shape);
  const unknown = Object.keys(raw).filter((key) => !(key in shape));
  if (unknown.length) {
    const [first] = unknown as [string];
    const near = closest(first, known, 1);
    const others =
      unknown.length > 1
        ? ` (nor ${unknown
            .slice(1)
            .map((k) => `\`${k}\``)
            .join(', ')})`
        : '';
    throw new ToolError(`is not an argument of ${tool.name}${others}.`, {
      argument: first,
      hint: `${near.length ? `Did you mean \`${near[0]}\`? ` : ''}${known.length ? `It takes: ${known.join(', ')}.` : 'It takes no arguments.'}`,
    });
  }
  const outcome = objectOf(shape).safeParse(raw);
  if (outcome.success) return outcome.data as Record<string, unknown>;
  const issue = outcome.error.issues[0] as z.core.$ZodIssue;
  const argument = issue.path.length ? issue.path.map(String).join('.') : undefined;
  const more =
    outcome.error.issues.length > 1
      ? ` (and ${outcome.error.issues.length - 1} more problem${outcome.error.issues.length > 2 ? 's' : ''})`
      : '';
  throw new ToolError(`${issue.message}${more}.`, {
    ...(argument ? { argument } : {}),
    hint: "Fix the value and call again; the tool's input schema says what each argument takes.",
  });
}
