/**
 * Posting and receiving protocol batches, the same way in both directions
 * (executor to worker, worker to executor).
 *
 * - Posting: a batch goes out as one branded post. When it cannot be serialized,
 *   each message is posted alone with its own transfer list, so that only the
 *   message that cannot cross fails, and a sibling whose result (or argument) is
 *   transfer-only, such as a MessagePort, still arrives. (Deno detaches transferred
 *   buffers even when the post fails; there a message with a transfer list gets a
 *   post of its own.)
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

let transfersSurvive: boolean | undefined;

/**
 * Does a post that fails to serialize leave its transfer list untouched? It does
 * in Node, Bun and browsers (serialization happens before any transfer); Deno
 * detaches the ArrayBuffers first, so their contents are lost with the post.
 * Probed once, on first need, with a MessageChannel.
 */
function transfersSurviveFailedPost(): boolean {
  if (transfersSurvive !== undefined) return transfersSurvive;
  transfersSurvive = true;
  if (typeof MessageChannel !== 'function') return transfersSurvive;
  const { port1, port2 } = new MessageChannel();
  const probe = new ArrayBuffer(1);
  try {
    port1.postMessage([probe, () => 1], [probe]);
  } catch {}
  transfersSurvive = probe.byteLength === 1;
  port1.close();
  port2.close();
  return transfersSurvive;
}

/** Post `messages[from..to)` as one batch; on failure, one by one with their own transfer lists. */
function postRange<M>(
  post: PostBatch<M>,
  messages: M[],
  from: number,
  to: number,
  transfer: Transferable[],
  transferOf: (message: M, index: number) => Transferable[] | undefined,
  onFailed: (message: M, index: number, error: unknown) => void,
): void {
  try {
    post(packBatch(from === 0 && to === messages.length ? messages : messages.slice(from, to)), transfer);
    return;
  } catch (error) {
    if (to - from === 1) {
      onFailed(messages[from] as M, from, error);
      return;
    }
  }
  for (let i = from; i < to; i++) {
    const message = messages[i] as M;
    try {
      post(packBatch([message]), transferOf(message, i) ?? []);
    } catch (error) {
      onFailed(message, i, error);
    }
  }
}

/**
 * Post `messages` as one batch with `transfer`. If that throws, post them one by
 * one, each with `transferOf(message, index)`, and report each message that
 * still cannot be posted to `onFailed` (a batch of one is reported at once).
 * Where a failed post would lose its transferred buffers (Deno), a message with
 * a transfer list is posted on its own instead, between the batches of its
 * neighbours, so that the order of messages is kept.
 */
export function postBatch<M>(
  post: PostBatch<M>,
  messages: M[],
  transfer: Transferable[],
  transferOf: (message: M, index: number) => Transferable[] | undefined,
  onFailed: (message: M, index: number, error: unknown) => void,
): void {
  if (transfer.length === 0 || messages.length === 1 || transfersSurviveFailedPost()) {
    postRange(post, messages, 0, messages.length, transfer, transferOf, onFailed);
    return;
  }
  let from = 0;
  for (let i = 0; i < messages.length; i++) {
    const own = transferOf(messages[i] as M, i);
    if (!own || own.length === 0) continue;
    if (i > from) postRange(post, messages, from, i, [], transferOf, onFailed);
    postRange(post, messages, i, i + 1, own, transferOf, onFailed);
    from = i + 1;
  }
  if (from < messages.length) postRange(post, messages, from, messages.length, [], transferOf, onFailed);
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
