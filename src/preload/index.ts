// The page's one fact from the desktop app: that it runs in it. The page talks to the lab over
// the backend's WebSocket as in a browser (src/renderer/api.ts) and gets no Node or Electron API
// (contextIsolation, sandbox, no nodeIntegration).
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('lab', Object.freeze({ mode: 'electron' }));
