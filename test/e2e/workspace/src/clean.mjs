import { Worker } from 'node:worker_threads';

const worker = new Worker(new URL('./thumbnail-worker.mjs', import.meta.url));
worker.postMessage({ file: 'a.png', size: 64 });
