/**
 * The results.json schema (documented in apps/bench/README.md). Runtime-neutral.
 * @module
 */
import type { Kind } from './adapter.js';

/** What was measured. */
export type Scenario =
  | 'sequential'
  | 'scaling'
  | 'scaling-warm'
  | 'burst'
  | 'pingpong'
  | 'cold-start'
  | 'map'
  | 'map-unchunked'
  | 'memory'
  | 'head-of-line'
  | 'head-of-line-long'
  | 'stream'
  | 'stream-memory'
  | 'io'
  | 'mixed'
  | 'mixed-io'
  | 'queue-pingpong'
  | 'queue-burst'
  | 'queue-scaling';

/** One measured figure: a backend (or peer, or floor) on a runtime, a workload, a worker count. */
export interface Result {
  runtime: string;
  scenario: Scenario;
  /** Offload backend (`node-worker`...), peer (`tinypool`...), raw floor (`raw-postMessage`...) or `main-thread`. */
  backend: string;
  kind: Kind | 'baseline';
  isolation: 'thread' | 'process' | 'none';
  workload: string;
  workers: number;
  /** Tasks or items per sample (burst, map, ping-pong), else the number of inputs of one run. */
  n: number;
  unit: 'ms' | 'tasks/s' | 'items/s' | 'us' | 'MB' | '%';
  better: 'lower' | 'higher';
  samples: number[];
  median: number;
  min: number;
  max: number;
  /** Scaling, io and queue-scaling: the sequential median / this median. */
  speedup?: number;
  /** Head-of-line only: how long the long task spins (ms). */
  longMs?: number;
  /** Memory only: the noise floor of the figure (same unit: the largest drift of a control sample without a pool, per worker). */
  noise?: number;
  /** Memory only: the figure does not exceed `noise`, so it says nothing (the report prints no ratio of it). */
  withinNoise?: boolean;
  /** io only: most requests in flight at once. */
  concurrency?: number;
  /** io only: the server's latency per response (ms). */
  latencyMs?: number;
  /** Why the figure is missing or partial. */
  error?: string;
  note?: string;
}

/** Facts about the machine and runtimes of a run. */
export interface Machine {
  cpuModel: string;
  cores: number;
  availableParallelism: number;
  memoryGB: number;
  platform: string;
  arch: string;
  runtimes: Record<string, string>;
}

/** A target of the project, evaluated on the results. */
export interface Target {
  id: string;
  runtime: string;
  description: string;
  /** Measured ratio, or ms (see `unit`). */
  value: number;
  threshold: number;
  /** Unit of `value` and `threshold`: a ratio (the default), milliseconds or a percentage. */
  unit?: 'x' | 'ms' | '%';
  /** `>=` means value must be at least threshold; `<=` at most. */
  op: '>=' | '<=';
  status: 'met' | 'missed' | 'n/a';
  detail: string;
}

/** The whole results.json. */
export interface Report {
  schema: 1;
  createdAt: string;
  mode: 'full' | 'quick' | 'smoke';
  machine: Machine;
  options: Record<string, unknown>;
  results: Result[];
  targets: Target[];
  /** Runtimes or backends skipped, and why. */
  notes: string[];
}
