/**
 * The I/O workload of the seeds: download 20 small flag images from a CDN.
 * Here the "CDN" is a loopback server the bench starts itself (flags-server.ts,
 * Node only); this module is the runtime-neutral part: the flag codes, the
 * bytes each flag has, where it is fetched from, and the `fetchFlag` task that
 * runs on the main thread, inline or in any worker. Only `fetch`, no `node:`.
 * @module
 */
import { makeBytes } from './workloads.js';

/** The seeds' 20 most populous countries, whose flags the download fetches. */
export const FLAG_CODES = ['CN', 'IN', 'US', 'ID', 'BR', 'PK', 'NG', 'BD', 'RU', 'JP', 'MX', 'PH', 'VN', 'ET', 'EG', 'DE', 'IR', 'TR', 'CD', 'FR'];

/** Size of one flag: 1 to 3 KB, fixed per code (the seeds' GIFs are a few KB). */
export function flagSize(cc: string): number {
  return 1024 + ((cc.charCodeAt(0) * 31 + cc.charCodeAt(1)) % 2048);
}

/** The bytes of one flag: deterministic, so a client can check what it received. */
export function flagBytes(cc: string): Uint8Array {
  return makeBytes(flagSize(cc), cc.charCodeAt(0) * 256 + cc.charCodeAt(1));
}

/** Where the flags are served: one base URL per port of the server, and the latency it adds to every request. */
export interface FlagSource {
  /** `http://127.0.0.1:<port>` per listening port. */
  bases: string[];
  /** Fixed delay of every response, in ms. */
  latencyMs: number;
}

/**
 * The URL of flag `i` of a download: flags are spread over the server's ports
 * round-robin. A browser opens at most 6 HTTP/1.1 connections per host and
 * port, so one port would cap any client in a page at 6 flags in flight
 * (the sharding a real CDN does across host names).
 */
export function flagUrl(bases: string[], i: number, cc: string): string {
  return `${bases[i % bases.length]}/flags/${cc.toLowerCase()}.gif`;
}

/** The URLs of a download of the first `n` flags. */
export function flagUrls(bases: string[], n: number = FLAG_CODES.length): string[] {
  return Array.from({ length: n }, (_, i) => flagUrl(bases, i, FLAG_CODES[i % FLAG_CODES.length]));
}

/** A download that answered with an HTTP error: which URL, which status. */
export class FlagFetchError extends Error {
  readonly code = 'FLAG_FETCH';
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`GET ${url}: HTTP ${status}`);
    this.name = 'FlagFetchError';
  }
}

/** Fetch one flag; resolves with its size in bytes (the bytes stay where they were fetched). */
export async function fetchFlag(url: string): Promise<number> {
  const res = await fetch(url);
  if (!res.ok) {
    await res.body?.cancel();
    throw new FlagFetchError(url, res.status);
  }
  return (await res.arrayBuffer()).byteLength;
}

/** Total bytes of a download of the first `n` flags: what a correct run must add up to. */
export function expectedBytes(n: number = FLAG_CODES.length): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += flagSize(FLAG_CODES[i % FLAG_CODES.length]);
  return total;
}
