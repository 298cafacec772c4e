// A render service hands jobs to a worker thread. The job type looks like data, but three of
// its members do not survive the trip: a URL (DataCloneError on Node 22+), an AbortSignal
// (arrives as an empty object, so aborting does nothing) and a custom error class (arrives as
// a plain Error without its jobId).
import { Worker } from 'node:worker_threads';

class RenderError extends Error {
  constructor(
    public jobId: string,
    message: string,
  ) {
    super(message);
  }
}

interface RenderJob {
  id: string;
  source: URL;
  deadline: Date;
  signal: AbortSignal;
}

const worker = new Worker(new URL('./render-worker.mjs', import.meta.url));

export function render(job: RenderJob): void {
  worker.postMessage(job);
}

export function reportFailure(jobId: string, message: string): void {
  worker.postMessage({ kind: 'failed', error: new RenderError(jobId, message) });
}

export function sendFrame(frame: ArrayBuffer): void {
  worker.postMessage(frame);
}
