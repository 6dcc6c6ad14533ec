/**
 * @patchbay/sandbox — local, stateful emulators of the services Patchbay connects to.
 *
 * `startSandbox({ service: 'github' })` serves an emulator on loopback HTTP and returns its URL,
 * credential, environment, live state, faults and request log. The framework under `core/` is
 * what every emulator is built from: `defineEmulator`, the router, faults, log, server.
 */
export type {
  AnyEmulator,
  EmulatorContext,
  EmulatorDefinition,
  Exchange,
  Logger,
  RateLimitFault,
  Route,
  Seed,
} from './core/emulator.js';
export { defineEmulator, ServiceHost, silentLogger, stderrLogger } from './core/emulator.js';
export type { Fault, FaultAction, FaultScope, FaultSpec } from './core/faults.js';
export { FaultSet } from './core/faults.js';
export type { SandboxRequest, SandboxResponse } from './core/http.js';
export { BodyError, emptyResponse, jsonResponse, textResponse } from './core/http.js';
export type { LogEntry, LogFilter } from './core/log.js';
export { RequestLog } from './core/log.js';
export type { RouteDefinition, RouteInfo } from './core/router.js';
export { Router } from './core/router.js';
export { SandboxServer } from './core/server.js';
export { Clock, deterministicSecret, etagMatches, IdSequence, isoSeconds, strongEtag, weakEtag } from './core/state.js';
export type { Sandbox, SandboxGroup, StartManyOptions, StartOptions } from './sandbox.js';
export { startSandbox } from './sandbox.js';
export type { KnownServices } from './services.js';
export { loadService, serviceNames } from './services.js';
