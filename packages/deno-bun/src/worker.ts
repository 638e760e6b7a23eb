/**
 * Worker entry of @offload/deno-bun: every Deno or Bun worker starts here.
 * The executor posts the task module's URL as the worker's first message (Bun
 * drops a worker URL's query and hash, and has no `self.name`); core's
 * `loadTaskModule` then imports it, so that a module that fails to import or
 * never calls `expose()` is reported at once. Relative imports of the task
 * module resolve against its own URL as usual.
 * @module
 */
import { loadTaskModule } from '@offload/core/worker';

/** The first message a worker gets: which task module to load. */
export interface LoadMessage {
  offloadTaskModule: string;
}

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
};

void loadTaskModule(
  new Promise<string>((resolve) => {
    const onFirst = (event: MessageEvent): void => {
      const url = (event.data as Partial<LoadMessage> | null)?.offloadTaskModule;
      if (typeof url !== 'string') return;
      scope.removeEventListener('message', onFirst);
      event.stopImmediatePropagation();
      resolve(url);
    };
    scope.addEventListener('message', onFirst);
  }),
);
