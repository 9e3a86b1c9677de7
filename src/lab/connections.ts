// Saved connections for Attach: a name, a connect string, digest auth and whether the lab keeps
// the ensemble read-only, remembered across restarts in `<labs folder>/connections.json`. The
// file holds passwords, so it is the owner's alone (0600), and the page never gets them back:
// it lists names and users, and attaches by name.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseConnectString } from './attach';
import { labsRoot } from './labdir';
import { digestOf } from './tree-acl';
import type { SavedConnection } from '../shared/contract';

export interface StoredConnection {
  name: string;
  connectString: string;
  auth: { user: string; password: string }[];
  readOnly: boolean;
}

const MAX_CONNECTIONS = 100;

export function connectionsFile(): string {
  return join(labsRoot(), 'connections.json');
}

/** Every saved connection; a file that is not ours (damaged, hand-edited wrongly) counts as none, entry by entry. */
export function readConnections(file = connectionsFile()): StoredConnection[] {
  try {
    if (!existsSync(file)) return [];
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const list = (v as { connections?: unknown }).connections;
    if (!Array.isArray(list)) return [];
    return list.filter(
      (c): c is StoredConnection =>
        typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.connectString === 'string' && typeof c.readOnly === 'boolean' && Array.isArray(c.auth) && c.auth.every((a: unknown) => typeof (a as { user?: unknown }).user === 'string' && typeof (a as { password?: unknown }).password === 'string'),
    );
  } catch {
    return [];
  }
}

/** What the page sees of them: no passwords. */
export function listConnections(file = connectionsFile()): SavedConnection[] {
  return readConnections(file).map((c) => ({ name: c.name, connectString: c.connectString, users: c.auth.map((a) => a.user), readOnly: c.readOnly }));
}

function write(all: StoredConnection[], file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ connections: all }, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Saves (or replaces, by name) one connection; bad input is refused with a sentence and nothing is written. */
export function saveConnection(c: StoredConnection, file = connectionsFile()): SavedConnection[] {
  const name = c.name.trim();
  if (name === '') throw new Error('Give the connection a name (e.g. staging). Nothing was saved.');
  parseConnectString(c.connectString);
  for (const a of c.auth) digestOf(a.user, a.password);
  const all = readConnections(file).filter((x) => x.name !== name);
  if (all.length >= MAX_CONNECTIONS) throw new Error(`There are ${MAX_CONNECTIONS} saved connections already: forget one first. Nothing was saved.`);
  write([...all, { ...c, name, connectString: c.connectString.trim() }].sort((a, b) => a.name.localeCompare(b.name)), file);
  return listConnections(file);
}

export function forgetConnection(name: string, file = connectionsFile()): SavedConnection[] {
  const all = readConnections(file);
  if (!all.some((c) => c.name === name)) throw new Error(`There is no saved connection named ${name}.`);
  write(all.filter((c) => c.name !== name), file);
  return listConnections(file);
}

export function findConnection(name: string, file = connectionsFile()): StoredConnection {
  const c = readConnections(file).find((x) => x.name === name);
  if (!c) throw new Error(`There is no saved connection named ${name}: save it again from the Cluster view.`);
  return c;
}
