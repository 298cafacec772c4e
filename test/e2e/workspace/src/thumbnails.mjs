// A worker pool for thumbnails. The job carries its completion callback, which cannot be
// cloned: postMessage throws DataCloneError before the worker ever sees the job.
import { Worker } from 'node:worker_threads';

const worker = new Worker(new URL('./thumbnail-worker.mjs', import.meta.url));

export function makeThumbnail(file, size) {
  const job = {
    file,
    size,
    onDone: (thumb) => console.log('done', thumb.length),
  };
  worker.postMessage(job);
}
