// Notifications: a toast (Mantine notifications) for a finished long action or an error, and
// a history of them that the notifications panel lists, kept across restarts (the last 100).
import { notifications } from '@mantine/notifications';
import { readSetting, writeSetting } from './persist';

export interface Note {
  id: number;
  time: number;
  kind: 'done' | 'error' | 'info';
  title: string;
  message: string;
}

const KEY = 'notifications';
const KEEP = 100;
const isNotes = (v: unknown): v is Note[] => Array.isArray(v) && v.every((n) => typeof n === 'object' && n !== null && 'title' in n && 'time' in n);

// Read when first needed: the settings arrive from the backend before the app renders.
let loaded: Note[] | null = null;
const all = (): Note[] => (loaded ??= readSetting<Note[]>(KEY, [], isNotes));
let nextId = 0;
const listeners = new Set<(n: Note[]) => void>();

/** Shows a notification and keeps it in the history. */
export function notify(kind: Note['kind'], title: string, message = ''): void {
  nextId = Math.max(nextId, ...all().map((n) => n.id)) + 1;
  const note: Note = { id: nextId, time: Date.now(), kind, title, message };
  const notes = [note, ...all()].slice(0, KEEP);
  loaded = notes;
  writeSetting(KEY, notes);
  for (const l of listeners) l(notes);
  notifications.show({
    id: `note-${note.id}`,
    title,
    message: message || undefined,
    color: kind === 'error' ? 'red' : kind === 'done' ? 'teal' : 'blue',
    // An error stays until read; the rest go by themselves (the history keeps them).
    autoClose: kind === 'error' ? false : 5000,
    withBorder: true,
  });
}

export function noteHistory(): Note[] {
  return all();
}

export function clearNotes(): void {
  loaded = [];
  writeSetting(KEY, loaded);
  for (const l of listeners) l(loaded);
}

export function onNotes(fn: (n: Note[]) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
