import { parentPort } from 'node:worker_threads';

parentPort.on('message', (job) => {
  parentPort.postMessage({ id: job.id, status: 'rendered' });
});
