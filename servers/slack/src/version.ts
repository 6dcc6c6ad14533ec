/** Set by the bundler from package.json; `0.0.0-dev` when run from the sources (tests). */
export const VERSION = process.env.PATCHBAY_VERSION ?? '0.0.0-dev';
