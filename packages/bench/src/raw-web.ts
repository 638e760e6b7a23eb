/**
 * The raw Web Worker floor (Deno, Bun, browsers): one postMessage per task
 * each way, no pool. Runtime-neutral.
 * @module
 */
import { answerRaw } from './raw-common.js';

const scope = globalThis as unknown as {
  postMessage(m: unknown): void;
  addEventListener(t: 'message', fn: (e: MessageEvent) => void): void;
};
scope.addEventListener('message', (e) => answerRaw(e.data as [number, string, unknown], (m) => scope.postMessage(m)));
scope.postMessage([0, 'ready']);
