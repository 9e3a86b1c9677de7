// The only thing the page gets from Electron: that it runs in the desktop app. Everything else
// goes through the lab's WebSocket contract (src/shared/contract.ts), as in browser mode.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('lab', Object.freeze({ mode: 'electron', version: process.versions.electron }));
