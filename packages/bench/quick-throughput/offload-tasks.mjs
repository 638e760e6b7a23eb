import { expose } from '@offload/core/worker';
export const tasks = expose({ inc: (x) => x + 1 });
