/** A worker served in memory (`serve()` over an endpoint in this thread), for tests of the worker side. */
import { type Batch, type FromWorker, packBatch, type ToWorker } from '../src/protocol.js';
import { serve } from '../src/serve.js';

/**
 * Serve `tasks` in memory: `send` delivers executor messages, `posts` holds
 * what the worker posted (as cloned), and `onPost` sees each post as it is made.
 */
export function servedWorker(tasks: Record<string, (...a: never[]) => unknown>, onPost?: (messages: FromWorker[]) => void) {
  const posts: FromWorker[][] = [];
  let toWorker: ((data: unknown) => void) | undefined;
  serve(
    {
      post: (batch: Batch<FromWorker>) => {
        const messages = structuredClone(batch).m;
        posts.push(messages);
        onPost?.(messages);
      },
      listen: (fn) => {
        toWorker = fn;
      },
    },
    tasks as never,
  );
  const send = (...msgs: ToWorker[]) => toWorker?.(packBatch(msgs));
  /** The posts that carry items of stream `id`, as lists of items. */
  const itemPosts = (id: number) =>
    posts
      .map((batch) => batch.flatMap((m) => (m.t === 'yields' && m.id === id ? m.values : m.t === 'yield' && m.id === id ? [m.value] : [])))
      .filter((items) => items.length > 0);
  return { posts, send, itemPosts };
}
