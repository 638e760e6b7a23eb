/**
 * Checks of the options that reach BullMQ and Redis, made before any
 * connection opens: a bad value is an `InvalidArgumentError` (code
 * `ERR_OFFLOAD_INVALID_ARGUMENT`), never BullMQ's plain `Error`, a job that
 * fails later on a worker machine, or a connection left open by a constructor
 * that threw.
 * @module
 */
import { InvalidArgumentError } from '@offload/core';

/** A queue name BullMQ takes: a non-empty string without ':' (its key separator). */
export function checkQueueName(queue: unknown): asserts queue is string {
  if (typeof queue !== 'string' || queue.length === 0) throw new InvalidArgumentError('Option "queue" must be the name of a BullMQ queue.');
  if (queue.includes(':')) throw new InvalidArgumentError(`Option "queue" must not contain ":" (BullMQ's key separator); got "${queue}".`);
}

/** `connection`: a `redis://` URL or an object of ioredis options. */
export function checkConnection(connection: unknown): void {
  if (typeof connection !== 'string' && (typeof connection !== 'object' || connection === null))
    throw new InvalidArgumentError(`Option "connection" must be a redis:// URL or ioredis options; got ${String(connection)}.`);
}

/** `prefix`, when given: a string (BullMQ's key prefix). */
export function checkPrefix(prefix: unknown): void {
  if (prefix !== undefined && typeof prefix !== 'string') throw new InvalidArgumentError(`Option "prefix" must be a string; got ${String(prefix)}.`);
}

/** An optional integer option of at least `min`. */
export function checkInteger(name: string, v: unknown, min: number): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= min))
    throw new InvalidArgumentError(`Option "${name}" must be an integer >= ${min}; got ${String(v)}.`);
}

const finiteMs = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * `backoff`: ms, or `{ type: 'fixed' | 'exponential', delay?, jitter? }`. The
 * worker machines know no custom strategy: BullMQ would fail the retry there
 * and leave the job to its stalled-job check.
 */
export function checkBackoff(backoff: unknown): void {
  if (backoff === undefined || finiteMs(backoff)) return;
  const b = backoff as { type?: unknown; delay?: unknown; jitter?: unknown } | null;
  const ok =
    typeof b === 'object' &&
    b !== null &&
    (b.type === 'fixed' || b.type === 'exponential') &&
    (b.delay === undefined || finiteMs(b.delay)) &&
    (b.jitter === undefined || (typeof b.jitter === 'number' && b.jitter >= 0 && b.jitter <= 1));
  if (!ok)
    throw new InvalidArgumentError(
      `Option "backoff" must be a number of ms >= 0 or { type: 'fixed' | 'exponential', delay?: ms, jitter?: 0..1 }; got ${typeof backoff === 'object' ? JSON.stringify(backoff) : String(backoff)}.`,
    );
}
