import '@mantine/core/styles.css';
import '@xterm/xterm/css/xterm.css';
import { MantineProvider, createTheme } from '@mantine/core';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectLab } from './api';
import type { LabApi } from '../shared/contract';

const theme = createTheme({ primaryColor: 'teal', fontFamily: 'system-ui, sans-serif' });
// In the desktop app the preload's IPC bridge is the way in; in a browser, the WebSocket.
const bridged = (window as unknown as { lab?: LabApi & { mode: string } }).lab;
const lab: LabApi = bridged && typeof bridged.call === 'function' ? bridged : connectLab();

createRoot(document.getElementById('root')!).render(
  <MantineProvider theme={theme} defaultColorScheme="light">
    <App lab={lab} />
  </MantineProvider>,
);
