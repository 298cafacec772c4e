// Fallback typings, used only when the project has no `piscina` package installed.
declare module 'piscina' {
  interface RunOptions { transferList?: readonly any[]; filename?: string | null; name?: string | null; signal?: any }
  class Piscina<T = any, R = any> {
    constructor(options?: { filename?: string | null; [option: string]: any });
    run(task: T, options?: RunOptions): Promise<R>;
    close(options?: { force?: boolean }): Promise<void>;
    destroy(): Promise<void>;
  }
  export default Piscina;
  export { Piscina };
}
