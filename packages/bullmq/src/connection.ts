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

/** The pub/sub channel on which cancellations of running jobs are broadcast to every worker of a queue. */
export const cancelChannel = (prefix: string, queue: string): string => `${prefix}:${queue}:offload:cancel`;

/** Close a client, ending at once if it cannot quit politely. */
export async function close(client: Redis): Promise<void> {
  try {
    await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 1000).unref())]);
  } catch {}
  client.disconnect();
}
