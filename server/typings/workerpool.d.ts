// Fallback typings, used only when the project has no `workerpool` package installed.
declare module 'workerpool' {
  class Pool {
    exec<T extends (...args: any[]) => any>(method: string | T, params?: Parameters<T> | any[] | null, options?: { transfer?: readonly any[] }): Promise<ReturnType<T>>;
    terminate(force?: boolean): Promise<any[]>;
  }
  function pool(script?: string | Record<string, any>, options?: Record<string, any>): Pool;
  function worker(methods?: Record<string, (...args: any[]) => any>): void;
  export { pool, worker, Pool };
}
