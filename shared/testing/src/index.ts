export * from './clients.js';
export * from './git.js';
export * from './postgres.js';
export * from './readme.js';
export * from './results.js';
export * from './surface.js';
