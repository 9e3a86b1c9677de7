import '@mantine/core/styles.css';
import '@xterm/xterm/css/xterm.css';
import { MantineProvider, createTheme } from '@mantine/core';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectLab } from './api';

const theme = createTheme({ primaryColor: 'teal', fontFamily: 'system-ui, sans-serif' });
const lab = connectLab();

createRoot(document.getElementById('root')!).render(
  <MantineProvider theme={theme} defaultColorScheme="light">
    <App lab={lab} />
  </MantineProvider>,
);
