export * from './clients.js';
export * from './results.js';
export * from './surface.js';
export * from './git.js';
export * from './readme.js';
export * from './postgres.js';
