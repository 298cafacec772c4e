// Preload: exposes the profile API to the page, and a file upload that hands the picked File to
// the main process, which has no DOM and cannot decode it.
import { contextBridge, ipcRenderer } from 'electron';

contextBridge.exposeInMainWorld('api', {
  loadProfile: (id) => ipcRenderer.invoke('profile:load', id),
  /** @param {File} file */
  upload: (file) => ipcRenderer.send('upload', { file, at: Date.now() }),
});
