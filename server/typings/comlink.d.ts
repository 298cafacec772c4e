// Fallback typings, used only when the project has no `comlink` package installed.
declare module 'comlink' {
  export const proxyMarker: unique symbol;
  export const createEndpoint: unique symbol;
  export const releaseProxy: unique symbol;
  export interface ProxyMarked { [proxyMarker]: true }
  export interface ProxyMethods { [createEndpoint]: () => Promise<MessagePort>; [releaseProxy]: () => void }
  type Promisify<T> = T extends Promise<unknown> ? T : Promise<T>;
  export type Remote<T> = { [P in keyof T]: T[P] extends (...args: infer A) => infer R ? Remote<(...args: A) => R> : Promisify<T[P]> } &
    (T extends (...args: infer A) => infer R ? (...args: A) => Promisify<R> : unknown) & ProxyMethods;
  export function wrap<T>(endpoint: any, target?: any): Remote<T>;
  export function expose(obj: any, endpoint?: any, allowedOrigins?: any[]): void;
  export function proxy<T extends {}>(obj: T): T & ProxyMarked;
  export function transfer<T>(obj: T, transfers: any[]): T;
}
