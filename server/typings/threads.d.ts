// Fallback typings, used only when the project has no `threads` (threads.js) package installed.
declare module 'threads' {
  export interface ThreadMethods { readonly __threadsModuleThread: true }
  export type ModuleThread<T = any> = { [P in keyof T]: T[P] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never } & ThreadMethods;
  export function spawn<T = any>(worker: any, options?: any): Promise<ModuleThread<T>>;
  export class Worker { constructor(path: string, options?: any) }
  export const Thread: { terminate(thread: any): Promise<void> };
  export function Transfer<T>(payload: T, transferables?: any[]): T;
}
