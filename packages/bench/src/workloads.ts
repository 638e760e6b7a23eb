/**
 * The benchmark workloads from the seeds (../../shared/context/SEEDS.md), as
 * plain runtime-neutral functions: no `node:` imports, no DOM, only the
 * language and WebCrypto. The same source runs on Node, Deno, Bun and in a
 * browser, inline (the sequential baseline) or inside any worker.
 *
 * Every task takes exactly one argument, so the same functions serve
 * Offload's `submit`/`map`, every peer pool and the raw workers.
 * @module
 */

/** Trial division over odd divisors up to sqrt(n). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  const limit = Math.floor(Math.sqrt(n));
  for (let i = 3; i <= limit; i += 2) if (n % i === 0) return false;
  return true;
}

/** Naive recursive Fibonacci (the "catastrophically slow" one). */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Big-integer power `base ** exp` (7777 ** 200000 in the seeds). Returns the low 32 bits, not the 2.6 Mbit number. */
export function pow(args: { base: number; exp: number }): number {
  const x = BigInt(args.base) ** BigInt(args.exp);
  return Number(x & 0xffffffffn);
}

/** Input of the byte workloads: the data is generated from `seed`, deterministic on every runtime. */
export interface BytesInput {
  /** The bytes to process (copied to the worker by structured clone, as the seeds pass them). */
  data: Uint8Array;
  /** RC4 key. */
  key?: Uint8Array;
}

/** FNV-1a over bytes: a cheap checksum so results are compared, not shipped back. */
export function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function rc4Apply(key: Uint8Array, input: Uint8Array): Uint8Array {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 255;
    const t = s[i];
    s[i] = s[j];
    s[j] = t;
  }
  const out = new Uint8Array(input.length);
  for (let k = 0, i = 0, j = 0; k < input.length; k++) {
    i = (i + 1) & 255;
    j = (j + s[i]) & 255;
    const t = s[i];
    s[i] = s[j];
    s[j] = t;
    out[k] = input[k] ^ s[(s[i] + s[j]) & 255];
  }
  return out;
}

/** RC4 encrypt then decrypt (the seeds' round trip); returns the checksum of the ciphertext. Throws if the round trip fails. */
export function rc4(input: BytesInput): number {
  const key = input.key ?? new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const cipher = rc4Apply(key, input.data);
  const plain = rc4Apply(key, cipher);
  if (plain.length !== input.data.length || checksum(plain) !== checksum(input.data)) throw new Error('RC4 round trip failed');
  return checksum(cipher);
}

/** SHA-256 through WebCrypto (available on every runtime); returns the hex digest. */
export async function sha256(input: BytesInput): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', input.data as Uint8Array<ArrayBuffer>);
  let hex = '';
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** The trivial task: per-task overhead. */
export function add(x: number): number {
  return x + 1;
}

/** Busy-wait `ms` milliseconds (synchronous: the worker cannot do anything else meanwhile); returns `ms`. */
export function spin(ms: number): number {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
  return ms;
}

/**
 * The same busy wait under another name: a task whose duration depends on its
 * argument (`spinOrNot(0)` returns at once), for the head-of-line variant that
 * calls one name many times before a slow call of it.
 */
export function spinOrNot(ms: number): number {
  return ms > 0 ? spin(ms) : ms;
}

/** The stream workload: a generator of `n` small items (0..n-1), for the stream scenario. */
export function* countTo(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** The slow-consumer stream workload: `n` items of `size` bytes each. */
export function* blobs(args: { n: number; size: number }): Generator<Uint8Array> {
  for (let i = 0; i < args.n; i++) yield new Uint8Array(args.size).fill(i & 255);
}

/** Every task, by name. */
export const workloadTasks = { isPrime, fib, pow, rc4, sha256, add, spin, spinOrNot, countTo, blobs };
/** Names of the tasks. */
export type WorkloadTaskName = keyof typeof workloadTasks;

/** xorshift32 bytes from a seed: deterministic data on every runtime. */
export function makeBytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed | 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

/** The seeds' is_prime candidates. */
export const PRIME_CANDIDATES = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];

/** One CPU workload: a task and the inputs of one run (all submitted at once). */
export interface Workload {
  /** Name used in results and on the command line, as in the seeds. */
  name: string;
  /** The task that runs each input. */
  task: WorkloadTaskName;
  /** What one run is, for the report. */
  description: string;
  /** The inputs of one run. Generated once and reused. */
  inputs: () => unknown[];
}

let rc4Inputs: BytesInput[] | undefined;
let shaInputs: BytesInput[] | undefined;

/** The CPU-bound workloads of the scaling table, in the seeds' sizes. */
export const WORKLOADS: Workload[] = [
  {
    name: 'is_prime',
    task: 'isPrime',
    description: 'trial division over the 8 seed candidates',
    inputs: () => PRIME_CANDIDATES,
  },
  {
    name: 'fib',
    task: 'fib',
    description: 'naive fib(30..33), 8 tasks',
    inputs: () => [33, 33, 32, 32, 31, 31, 30, 30],
  },
  {
    name: 'pow',
    task: 'pow',
    description: 'BigInt 7777 ** 200000, 10 tasks',
    inputs: () => Array.from({ length: 10 }, () => ({ base: 7777, exp: 200_000 })),
  },
  {
    name: 'rc4',
    task: 'rc4',
    description: 'RC4 encrypt+decrypt of 12 arrays of 149-384 KB',
    inputs: () => {
      rc4Inputs ??= Array.from({ length: 12 }, (_, i) => ({
        data: makeBytes(149 * 1024 + Math.round(((384 - 149) * 1024 * i) / 11), i + 1),
        key: makeBytes(16, 1000 + i),
      }));
      return rc4Inputs;
    },
  },
  {
    name: 'sha256',
    task: 'sha256',
    description: 'SHA-256 (WebCrypto) of 12 arrays of 1 MB',
    inputs: () => {
      shaInputs ??= Array.from({ length: 12 }, (_, i) => ({ data: makeBytes(1024 * 1024, 7 + i) }));
      return shaInputs;
    },
  },
];

/** Tiny inputs for the smoke run (structure, not timings). */
export const SMOKE_WORKLOADS: Workload[] = [
  { name: 'is_prime', task: 'isPrime', description: 'trial division, small candidates', inputs: () => [1_000_003, 17, 4, 999_983] },
  { name: 'fib', task: 'fib', description: 'fib(20), 4 tasks', inputs: () => [20, 20, 20, 20] },
];

/** Run a workload on the current thread (the sequential baseline); returns the results. */
export async function runSequential(w: Workload): Promise<unknown[]> {
  const fn = workloadTasks[w.task] as (x: unknown) => unknown;
  const out: unknown[] = [];
  for (const x of w.inputs()) out.push(await fn(x));
  return out;
}
