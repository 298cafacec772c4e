// Fallback typings, used only when the project has no `workerpool` package installed.
declare module 'workerpool' {
  class Pool {
    exec<T extends (...args: any[]) => any>(method: string | T, params?: Parameters<T> | any[] | null, options?: { transfer?: readonly any[] }): Promise<ReturnType<T>>;
    terminate(force?: boolean): Promise<any[]>;
  }
  function pool(script?: string | Record<string, any>, options?: Record<string, any>): Pool;
  function worker(methods?: Record<string, (...args: any[]) => any>): void;
  /** Posts an event from a worker script to the `on` handler of the `exec` that runs it. */
  function workerEmit(payload: any): void;
  export { pool, worker, workerEmit, Pool };
}
