/**
 * A child's stderr, read through a pipe: forwarded to the parent's stderr as it
 * arrives (unless output is not inherited), and its first lines kept, so that a
 * child that dies while loading its task module is reported with what it said.
 * @module
 */
import type { Readable } from 'node:stream';

/** At most this many lines of a child's stderr are kept for an error message... */
export const STDERR_HEAD_LINES = 20;
/** ...and at most this many characters. */
export const STDERR_HEAD_CHARS = 2000;
/** How long an exit waits for the rest of the child's stderr (a grandchild may hold the pipe open). */
const DRAIN_MS = 250;

/** The first lines of a text, bounded by {@link STDERR_HEAD_LINES} and {@link STDERR_HEAD_CHARS}; `...` marks a cut. */
export function headOf(text: string): string {
  const lines = text.split('\n');
  let head = lines.slice(0, STDERR_HEAD_LINES).join('\n');
  let cut = lines.length > STDERR_HEAD_LINES && lines.slice(STDERR_HEAD_LINES).some((l) => l !== '');
  if (head.length > STDERR_HEAD_CHARS) {
    head = head.slice(0, STDERR_HEAD_CHARS);
    cut = true;
  }
  head = head.trimEnd();
  return cut ? `${head}\n...` : head;
}

/** The stderr of one child: its first lines, and a way to wait for the rest. */
export interface ChildStderr {
  /** The first lines the child wrote (bounded), or '' when it wrote nothing. */
  head(): string;
  /** Resolves when the child's stderr has ended, or after a short bound. */
  drained(): Promise<void>;
  ref(): void;
  unref(): void;
}

/** Read `stream` (a child's piped stderr): forward it to `process.stderr` when `forward`, and keep its first lines. */
export function readStderr(stream: Readable | null, forward: boolean): ChildStderr {
  let text = '';
  let ended = stream === null;
  const waiters: (() => void)[] = [];
  if (stream) {
    const keep = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      if (text.length > STDERR_HEAD_CHARS + 1) stream.off('data', keep);
    };
    stream.on('data', keep);
    // Written chunk by chunk rather than piped: a pipe adds listeners to process.stderr per
    // child, and more than ten children alive at once made Node warn of a listener leak.
    if (forward) stream.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    else stream.resume();
    stream.once('close', () => {
      ended = true;
      for (const w of waiters.splice(0)) w();
    });
  }
  const socket = stream as (Readable & { ref?(): void; unref?(): void }) | null;
  return {
    head: () => headOf(text),
    drained: () =>
      ended
        ? Promise.resolve()
        : new Promise((resolve) => {
            const timer = setTimeout(resolve, DRAIN_MS);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
    ref: () => socket?.ref?.(),
    unref: () => socket?.unref?.(),
  };
}
