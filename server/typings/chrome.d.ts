// Fallback typings for the extension messaging API, used only when @types/chrome is not installed:
// enough for sendcheck to recognise `chrome.runtime.sendMessage`, `chrome.tabs.sendMessage` and a
// port's `postMessage` in plain-JS extensions.
declare namespace chrome.runtime {
  interface MessageOptions { includeTlsChannelId?: boolean }
  interface Port {
    name: string;
    sender?: any;
    onMessage: any;
    onDisconnect: any;
    postMessage(message: any): void;
    disconnect(): void;
  }
  const id: string;
  const lastError: { message?: string } | undefined;
  const onMessage: any;
  const onMessageExternal: any;
  const onConnect: any;
  const onInstalled: any;
  function getURL(path: string): string;
  function connect(extensionIdOrInfo?: any, connectInfo?: { name?: string }): Port;
  function sendMessage(message: any, options?: MessageOptions): Promise<any>;
  function sendMessage(message: any, callback: (response: any) => void): void;
  function sendMessage(message: any, options: MessageOptions, callback: (response: any) => void): void;
  function sendMessage(extensionId: string | undefined | null, message: any, options?: MessageOptions): Promise<any>;
  function sendMessage(extensionId: string | undefined | null, message: any, callback: (response: any) => void): void;
  function sendMessage(extensionId: string | undefined | null, message: any, options: MessageOptions, callback: (response: any) => void): void;
}
declare namespace chrome.tabs {
  interface MessageSendOptions { frameId?: number; documentId?: string }
  function sendMessage(tabId: number, message: any, options?: MessageSendOptions): Promise<any>;
  function sendMessage(tabId: number, message: any, callback: (response: any) => void): void;
  function sendMessage(tabId: number, message: any, options: MessageSendOptions, callback: (response: any) => void): void;
  function connect(tabId: number, connectInfo?: { name?: string; frameId?: number }): chrome.runtime.Port;
  function query(queryInfo: any): Promise<any[]>;
}
