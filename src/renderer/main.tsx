import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/spotlight/styles.css';
import '@xterm/xterm/css/xterm.css';
import { MantineProvider, createTheme, type MantineColorScheme, type MantineColorSchemeManager } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectLab } from './api';
import { loadSettings, readSetting, writeSetting } from './persist';
import { setLanguage, type LanguageChoice } from './i18n';

const theme = createTheme({ primaryColor: 'teal', fontFamily: 'system-ui, sans-serif' });
// The same WebSocket client in the desktop app and in a browser.
const lab = connectLab();

// Light, dark or the system's ('auto'), switched by the palette and the navbar, remembered with
// the other settings by the backend; light until one is chosen.
const isScheme = (v: unknown): v is MantineColorScheme => v === 'light' || v === 'dark' || v === 'auto';
const schemes: MantineColorSchemeManager = {
  get: (fallback) => readSetting('theme', fallback, isScheme),
  set: (value) => writeSetting('theme', value),
  subscribe: () => {},
  unsubscribe: () => {},
  clear: () => writeSetting('theme', null),
};

// The remembered settings first (the open view, the theme, the language), then the app.
void loadSettings(lab).then(() => {
  setLanguage(readSetting<LanguageChoice>('language', 'system', (v): v is LanguageChoice => v === 'en' || v === 'zh' || v === 'system'));
  createRoot(document.getElementById('root')!).render(
    <MantineProvider theme={theme} defaultColorScheme="light" colorSchemeManager={schemes}>
      <Notifications position="bottom-right" limit={4} />
      <App lab={lab} />
    </MantineProvider>,
  );
});
