/**
 * Peers on a runtime other than Node that runs Node packages (Bun's Node
 * compatibility): piscina, tinypool and poolifier's thread pool, loaded by the
 * runner from this module. A peer that cannot load or start on the runtime
 * still gets its adapter; its rows carry the reason (and a hang is bounded by
 * the plan's timeout).
 * @module
 */
import type { Adapter } from './adapter.js';

const here = (name: string) => new URL(`./${name}`, import.meta.url);

/** Peer names this module knows. */
export const COMPAT_PEERS = ['piscina', 'tinypool', 'poolifier'] as const;

type Loaded = Pick<Adapter, 'create'>;

async function load(name: string): Promise<Loaded> {
  if (name === 'piscina') {
    const { Piscina } = await import('piscina');
    return {
      create: (workers) => {
        const pool = new Piscina({ filename: here('peer-tasks.js').href, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
        return { run: (task, arg) => pool.run(arg, { name: task }), close: () => pool.destroy() };
      },
    };
  }
  if (name === 'tinypool') {
    const { Tinypool } = await import('tinypool');
    return {
      create: (workers) => {
        const pool = new Tinypool({ filename: here('peer-tasks.js').href, minThreads: workers, maxThreads: workers, isolateWorkers: false });
        return { run: (task, arg) => pool.run(arg, { name: task }), close: () => pool.destroy() };
      },
    };
  }
  if (name === 'poolifier') {
    const { FixedThreadPool } = await import('poolifier');
    return {
      create: (workers) => {
        const pool = new FixedThreadPool(workers, decodeURIComponent(here('peer-poolifier-thread.js').pathname));
        return { run: (task, arg) => pool.execute(arg, task), close: () => pool.destroy() };
      },
    };
  }
  throw new Error(`unknown peer "${name}"`);
}

/** The adapters of the named peers (thread pools); one that fails to load rejects every pool with the reason. */
export async function compatPeers(names: string[]): Promise<Adapter[]> {
  const out: Adapter[] = [];
  for (const name of names) {
    let loaded: Loaded;
    try {
      loaded = await load(name);
    } catch (error) {
      const why = `cannot load ${name} here: ${error instanceof Error ? error.message : String(error)}`;
      loaded = {
        create: () => {
          throw new Error(why);
        },
      };
    }
    out.push({ name, kind: 'peer', isolation: 'thread', create: loaded.create });
  }
  return out;
}
