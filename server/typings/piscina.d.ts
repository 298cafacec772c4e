// Fallback typings, used only when the project has no `piscina` package installed.
declare module 'piscina' {
  interface RunOptions { transferList?: readonly any[]; filename?: string | null; name?: string | null; signal?: any }
  class Piscina<T = any, R = any> {
    constructor(options?: { filename?: string | null; [option: string]: any });
    run(task: T, options?: RunOptions): Promise<R>;
    close(options?: { force?: boolean }): Promise<void>;
    destroy(): Promise<void>;
    /** Marks a value to be transferred, not copied, when it is a task or a task's result. */
    static move<V>(value: V): V;
  }
  function move<V>(value: V): V;
  export default Piscina;
  export { Piscina, move };
}
