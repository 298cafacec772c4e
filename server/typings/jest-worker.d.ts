// Fallback typings, used only when the project has no `jest-worker` package installed.
declare module 'jest-worker' {
  export interface WorkerFarmMethods { readonly __jestWorkerFarm: true; end(): Promise<{ forceExited: boolean }> }
  export type JestWorkerFarm<T> = { [P in keyof T]: T[P] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never } & WorkerFarmMethods;
  export class Worker { constructor(workerPath: string, options?: any); end(): Promise<{ forceExited: boolean }>; [method: string]: any }
}
