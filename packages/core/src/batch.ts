/**
 * Posting and receiving protocol batches, the same way in both directions
 * (executor to worker, worker to executor).
 *
 * - Posting: a batch goes out as one branded post. When it cannot be serialized,
 *   each message is posted alone with its own transfer list, so that only the
 *   message that cannot cross fails, and a sibling whose result (or argument) is
 *   transfer-only, such as a MessagePort, still arrives.
 * - Receiving: data that is not a branded batch is foreign (a task's own
 *   `parentPort.postMessage`, `process.send` or `self.postMessage`) and ignored.
 *   A branded batch with a malformed message is a protocol fault, reported as a
 *   {@link ProtocolError}: the executor then stops that worker as crashed (its
 *   tasks fail with `WorkerCrashedError` and this cause, or are re-run); a worker
 *   answers with a `fatal` message.
 * @module
 */
import type { ProtocolError } from './errors.js';
import { type Batch, packBatch } from './protocol.js';

/** Posts one batch; throws synchronously when it cannot be serialized. */
export type PostBatch<M> = (batch: Batch<M>, transfer: Transferable[]) => void;

/**
 * Post `messages` as one batch with `transfer`. If that throws, post them one by
 * one, each with `transferOf(message, index)`, and report each message that
 * still cannot be posted to `onFailed` (a batch of one is reported at once).
 */
export function postBatch<M>(
  post: PostBatch<M>,
  messages: M[],
  transfer: Transferable[],
  transferOf: (message: M, index: number) => Transferable[] | undefined,
  onFailed: (message: M, index: number, error: unknown) => void,
): void {
  try {
    post(packBatch(messages), transfer);
    return;
  } catch (error) {
    if (messages.length === 1) {
      onFailed(messages[0] as M, 0, error);
      return;
    }
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as M;
    try {
      post(packBatch([message]), transferOf(message, i) ?? []);
    } catch (error) {
      onFailed(message, i, error);
    }
  }
}

/**
 * Build the handler of incoming data for one peer: `read` unwraps a branded
 * batch (`undefined` for foreign data, which is dropped) and throws a
 * {@link ProtocolError} for a malformed one, which goes to `onFault`.
 */
export function batchReceiver<M>(
  read: (data: unknown) => M[] | undefined,
  onBatch: (batch: M[]) => void,
  onFault: (error: ProtocolError) => void,
): (data: unknown) => void {
  return (data) => {
    let batch: M[] | undefined;
    try {
      batch = read(data);
    } catch (error) {
      onFault(error as ProtocolError);
      return;
    }
    if (batch) onBatch(batch);
  };
}
