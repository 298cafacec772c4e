// Node modules that the shipped @types/node (Node 20's) does not declare yet, added beside it.
declare module 'node:sqlite' {
  // Native handles: a worker port refuses both (`Cannot clone object of unsupported type`).
  class StatementSync { run(...params: any[]): any; get(...params: any[]): any; all(...params: any[]): any[] }
  class DatabaseSync {
    constructor(location: string, options?: any);
    exec(sql: string): void;
    prepare(sql: string): StatementSync;
    close(): void;
    open(): void;
  }
}
