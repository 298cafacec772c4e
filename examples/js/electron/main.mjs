// Electron main process: loads a user's profile for the renderer. The handler returns the
// caught error spread into the reply, and what an invoke handler returns is cloned back to the
// renderer: the error's request config holds functions, so the renderer gets "An object could
// not be cloned" instead of the reply.
import { app, BrowserWindow, ipcMain } from 'electron';
import { fetchProfile, HttpError } from './http.mjs';

ipcMain.handle('profile:load', async (_event, id) => {
  try {
    return { ok: true, profile: await fetchProfile(id) };
  } catch (err) {
    if (err instanceof HttpError) return { ok: false, error: { ...err, message: err.message } };
    throw err;
  }
});

app.whenReady().then(() => {
  const win = new BrowserWindow({ webPreferences: { preload: new URL('./preload.mjs', import.meta.url).pathname } });
  win.loadFile('index.html');
});
