/** Deno and Bun: Web Workers. */
export * from '@offload/deno-bun';
