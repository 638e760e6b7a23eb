// Prints the backend that `offload` resolves to in the runtime running this file.
import { capabilities, createExecutor } from 'offload';

const ex = createExecutor(new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url), { maxWorkers: 1 });
const sum = await ex.submit('add', [20, 22]);
await ex.shutdown();
console.log(`${capabilities.backend} ${sum}`);
