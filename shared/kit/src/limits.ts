/** Default size of one tool result (text and structured content each), in bytes. */
export const DEFAULT_OUTPUT_BUDGET = 32_768;
export const MIN_OUTPUT_BUDGET = 1_024;
export const MAX_OUTPUT_BUDGET = 1_048_576;
