import { parentPort } from 'node:worker_threads';

parentPort.on('message', (job) => {
  parentPort.postMessage({ file: job.file, thumb: new Uint8Array(job.size) });
});
