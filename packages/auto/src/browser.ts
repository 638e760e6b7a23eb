/** Browsers (and the default): module Web Workers. */
export * from '@offload/browser';
