// Fallback typings, used only when the project has no `tinypool` package installed.
declare module 'tinypool' {
  interface RunOptions { transferList?: readonly any[]; filename?: string | null; name?: string | null; runtime?: 'worker_threads' | 'child_process' }
  class Tinypool {
    constructor(options?: { filename?: string | null; runtime?: 'worker_threads' | 'child_process'; [option: string]: any });
    run(task: any, options?: RunOptions): Promise<any>;
    destroy(): Promise<void>;
    /** Marks a value to be transferred, not copied, when it is a task or a task's result. */
    static move<V>(value: V): V;
  }
  export default Tinypool;
  export { Tinypool };
}
