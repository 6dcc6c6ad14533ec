/**
 * Errors a model can act on. A `ToolError` thrown from a handler becomes an `isError` result
 * that names the argument, says what was wrong and what to do; anything else is a fault,
 * logged in full to stderr and reported to the client in one redacted line.
 */
const TOOL_ERROR = Symbol.for('patchbay.ToolError');

export class ToolError extends Error {
  override readonly name = 'ToolError';
  /** A brand that survives two copies of the kit in one process (a bundle and a test, a gateway). */
  readonly [TOOL_ERROR] = true;
  /** The input field at fault, when there is one (`path`, `ref`, `sql`…). */
  readonly argument: string | undefined;
  /** What the caller can do about it: a corrected call, a narrower query, an option to set. */
  readonly hint: string | undefined;

  constructor(message: string, options: { argument?: string; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.argument = options.argument;
    this.hint = options.hint;
  }

  /** The one paragraph the model reads. */
  render(): string {
    const where = this.argument ? `Argument \`${this.argument}\`: ` : '';
    const hint = this.hint ? ` ${this.hint}` : '';
    return `${where}${this.message}${hint}`;
  }
}

export function isToolError(error: unknown): error is ToolError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[TOOL_ERROR] === true;
}

/** Shorthand for the most common model-fixable error: one bad argument. */
export function badArgument(argument: string, message: string, hint?: string): ToolError {
  return new ToolError(message, { argument, ...(hint ? { hint } : {}) });
}

/**
 * A problem with how the operator started the server (flags, environment). Collected and
 * reported all at once; the process exits with code 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
