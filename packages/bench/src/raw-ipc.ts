/**
 * The raw child_process floor: one IPC message per task each way
 * (`serialization: 'advanced'`), no pool.
 * @module
 */
import { answerRaw } from './raw-common.js';

const send = (m: unknown) => process.send?.(m);
process.on('message', (msg: [number, string, unknown]) => answerRaw(msg, send));
send([0, 'ready']);
