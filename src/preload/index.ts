// The only door from the page to the app: a typed `window.lab` (call + onPush) over IPC. The
// page never gets Node or Electron APIs (contextIsolation, sandbox, no nodeIntegration).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Push, Request } from '../shared/contract';

contextBridge.exposeInMainWorld(
  'lab',
  Object.freeze({
    mode: 'electron',
    call: (request: Request): Promise<unknown> => ipcRenderer.invoke('lab:call', request),
    onPush: (listener: (p: Push) => void): (() => void) => {
      const handler = (_e: IpcRendererEvent, p: Push): void => listener(p);
      ipcRenderer.on('lab:push', handler);
      return () => ipcRenderer.off('lab:push', handler);
    },
  }),
);
