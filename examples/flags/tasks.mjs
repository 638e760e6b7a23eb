// The task of the flags example: download one flag. The same function runs on the event loop
// (InlineExecutor) or in a worker; an HTTP error becomes an error with the URL and status.
import { expose } from '@offload/core/worker';

/** An HTTP error answer; its own properties (url, status) survive the trip back from a worker. */
export class FlagHttpError extends Error {
  constructor(url, status) {
    super(`HTTP ${status} for ${url}`);
    this.name = 'FlagHttpError';
    this.url = url;
    this.status = status;
  }
}

/** Fetch one flag; resolves with its size in bytes (a real program would save it). */
export async function getFlag(url) {
  const res = await fetch(url);
  if (!res.ok) throw new FlagHttpError(url, res.status);
  return (await res.arrayBuffer()).byteLength;
}

export const tasks = expose({ getFlag });
