/**
 * Redis connections and the names this package owns on a queue.
 * @module
 */
import { Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a `redis://` URL or ioredis options. */
export type RedisConnection = string | RedisOptions;

/** A new ioredis client as BullMQ wants it (no per-request retry limit, so commands wait across reconnects). */
export function connect(connection: RedisConnection, name: string): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, connectionName: name };
  return typeof connection === 'string' ? new Redis(connection, options) : new Redis({ ...connection, ...options });
}

/** A message on the control channel: cancel a running job, or grant its stream `n` more items. */
export type ControlMessage = { c: 'cancel'; id: string } | { c: 'pull'; id: string; n: number };

/** Read a control message; undefined when it is not one. */
export function readControl(text: string): ControlMessage | undefined {
  try {
    const m = JSON.parse(text) as ControlMessage;
    if (typeof m?.id !== 'string') return undefined;
    if (m.c === 'cancel' || (m.c === 'pull' && Number.isSafeInteger(m.n) && m.n > 0)) return m;
  } catch {}
  return undefined;
}

/** The pub/sub channel on which cancellations of running jobs (and stream credit) are broadcast to every worker of a queue. */
export const cancelChannel = (prefix: string, queue: string): string => `${prefix}:${queue}:offload:cancel`;

/** Close a client, ending at once if it cannot quit politely. */
export async function close(client: Redis): Promise<void> {
  try {
    await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 1000).unref())]);
  } catch {}
  client.disconnect();
}
