/**
 * Worker-thread entry of the flags server (see startFlagsServerThread): serves
 * with the options in `workerData` and posts the base URLs back.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FlagsServerOptions, serveFlags } from './flags-server.js';

const server = await serveFlags(workerData as FlagsServerOptions);
parentPort?.postMessage(server.bases);
