// Fallback typings, used only when the project has no `electron` package installed: the IPC
// surface whose messages cross by structured clone (renderer ⇄ main), so its sends are still seen.
declare module 'electron' {
  interface IpcRendererEvent { sender: IpcRenderer; ports: MessagePort[] }
  interface IpcRenderer {
    send(channel: string, ...args: any[]): void;
    invoke(channel: string, ...args: any[]): Promise<any>;
    sendSync(channel: string, ...args: any[]): any;
    sendToHost(channel: string, ...args: any[]): void;
    postMessage(channel: string, message: any, transfer?: MessagePort[]): void;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: any[]) => void): this;
    once(channel: string, listener: (event: IpcRendererEvent, ...args: any[]) => void): this;
    removeAllListeners(channel?: string): this;
  }
  interface WebContents {
    send(channel: string, ...args: any[]): void;
    postMessage(channel: string, message: any, transfer?: MessagePortMain[]): void;
  }
  interface IpcMainEvent { sender: WebContents; reply(channel: string, ...args: any[]): void; returnValue: any }
  interface IpcMainInvokeEvent { sender: WebContents }
  interface IpcMain {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: any[]) => any): void;
    handleOnce(channel: string, listener: (event: IpcMainInvokeEvent, ...args: any[]) => any): void;
    on(channel: string, listener: (event: IpcMainEvent, ...args: any[]) => void): this;
  }
  interface MessagePortMain { postMessage(message: any, transfer?: MessagePortMain[]): void; start(): void; close(): void }
  interface ContextBridge { exposeInMainWorld(apiKey: string, api: any): void; exposeInIsolatedWorld(worldId: number, apiKey: string, api: any): void }
  class BrowserWindow {
    constructor(options?: any);
    webContents: WebContents;
    loadFile(path: string): Promise<void>;
    loadURL(url: string): Promise<void>;
  }
  const ipcRenderer: IpcRenderer;
  const ipcMain: IpcMain;
  const contextBridge: ContextBridge;
  const app: { whenReady(): Promise<void>; quit(): void; on(event: string, listener: (...args: any[]) => void): any };
  export { ipcRenderer, ipcMain, contextBridge, app, BrowserWindow, IpcRenderer, IpcMain, IpcMainEvent, IpcMainInvokeEvent, IpcRendererEvent, WebContents, MessagePortMain, ContextBridge };
}
