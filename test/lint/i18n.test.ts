// The catalogues against the code: every key a translated part of the UI uses is in both the
// English and the Chinese catalogue, both have the same keys, and no visible text in those
// files bypasses the catalogue (JSX text with a Latin letter in it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Role, WalkthroughId } from '../../src/shared/contract';
import { WALKTHROUGHS } from '../../src/shared/walkthroughs';
import { en } from '../../src/renderer/i18n/en';
import { zh } from '../../src/renderer/i18n/zh';
import { errorText, eventText, i18n, progressText, systemLanguage } from '../../src/renderer/i18n';
import { SAID_SENTENCES, said, sayEnglish, type SaidCode } from '../../src/shared/said';
import { ERROR_SENTENCES, LabError, ReplyError, type ErrorCode } from '../../src/shared/errors';

/** The parts of the UI in the catalogues. */
const TRANSLATED = [
  ...['App.tsx', 'Desktop.tsx', 'commands.ts', 'views.ts', 'Cluster.tsx', 'Connections.tsx', 'NodeCard.tsx', 'TreeExplorer.tsx', 'Watches.tsx'],
  ...['Wire.tsx', 'WireDiagram.tsx', 'WireFilters.tsx', 'WireDetails.tsx', 'Network.tsx', 'NetTopology.tsx', 'NetFaults.tsx', 'netmodel.ts'],
  ...['Timeline.tsx', 'timelinemarks.ts', 'Replay.tsx', 'Events.tsx', 'Terminals.tsx'],
  ...['Load.tsx', 'LoadCharts.tsx', 'CheckPanel.tsx', 'Counterexample.tsx', 'LockPlayground.tsx', 'LockQueue.tsx', 'lockview.ts', 'MemberConsole.tsx', 'Membership.tsx'],
  'Walkthroughs.tsx',
  'OpenDataDir.tsx',
];
const dir = join(__dirname, '..', '..', 'src', 'renderer');
const SECTIONS = Object.keys(en);
const KEY = new RegExp(`['"\`]((?:${SECTIONS.join('|')})\\.[A-Za-z0-9_-]+)['"\`]`, 'g');
/** A t() call's key. */
const CALL = /\bt(?:r)?\(\s*['"`]([A-Za-z]+\.[A-Za-z0-9_-]+)['"`]/g;
/** Lines whose dotted strings are the lab's request methods, push kinds, event types or setting names, not keys. */
const NOT_KEYS = /method: |kind === |kind: |type === |case '|useSetting|readSetting|writeSetting/;

/** The catalogue keys a file uses: every t() call's, and the keys its tables hold ('node.epoch'). */
function keysUsed(src: string): string[] {
  const calls = [...src.matchAll(CALL)].map((m) => m[1]!);
  const literals = src
    .split('\n')
    .filter((l) => !NOT_KEYS.test(l))
    .flatMap((l) => [...l.matchAll(KEY)].map((m) => m[1]!));
  return [...new Set([...calls, ...literals])];
}

type Tree = Record<string, Record<string, string>>;
function has(cat: Tree, key: string): boolean {
  const [section, name] = key.split('.') as [string, string];
  const s = cat[section];
  return s !== undefined && (name in s || `${name}_other` in s);
}
/** Text that is the same in every language: key names, an example name. */
const SAME_IN_EVERY_LANGUAGE = new Set(['Ctrl K', '/var/lib/zookeeper', 'Ctrl+Shift+C', 'Ctrl+Shift+V', 'ACL:', 'staging', 'a', 'b', 'c', 'h', 'Enter', 'Space', 'p50 / p99', 'p50 / p99 / max']);
const keysOf = (cat: Tree): string[] => Object.entries(cat).flatMap(([s, o]) => Object.keys(o).map((k) => `${s}.${k}`)).sort();

describe('the catalogues', () => {
  it('have the same keys in English and Chinese, none empty', () => {
    expect(keysOf(zh as Tree)).toEqual(keysOf(en as Tree));
    for (const cat of [en, zh] as Tree[]) for (const s of Object.values(cat)) for (const v of Object.values(s)) expect(v.trim()).not.toBe('');
  });

  it.each(TRANSLATED)('hold every key %s uses, in both languages', (file) => {
    const src = readFileSync(join(dir, file), 'utf8');
    const used = keysUsed(src);
    expect(used.length).toBeGreaterThan(0);
    const missing = used.filter((k) => !has(en as Tree, k) || !has(zh as Tree, k));
    expect(missing).toEqual([]);
  });

  it('hold every walkthrough\'s title, seed section, claim and needs, and what it erases exactly for those that erase', () => {
    for (const id of WalkthroughId.options) for (const section of ['walkTitle', 'walkSection', 'walkClaim', 'walkNeeds']) for (const cat of [en, zh] as Tree[]) expect(has(cat, `${section}.${id}`), `${section}.${id}`).toBe(true);
    const erasing = WalkthroughId.options.filter((id) => WALKTHROUGHS[id].erases !== null);
    expect(Object.keys(en.walkErases).sort()).toEqual(erasing.sort());
    // The English the UI shows is the one zk-lab prints.
    for (const id of WalkthroughId.options) expect(en.walkClaim[id]).toBe(WALKTHROUGHS[id].claim);
  });

  it('name every role the contract has', () => {
    for (const r of Role.options) {
      expect(has(en as Tree, `role.${r}`)).toBe(true);
      expect(has(zh as Tree, `role.${r}`)).toBe(true);
    }
  });

  it.each(TRANSLATED.filter((f) => f.endsWith('.tsx')))('leave no visible English text in %s outside the catalogue', (file) => {
    const src = readFileSync(join(dir, file), 'utf8');
    // Text between a tag's end and the next tag or expression: what JSX renders as it is.
    const texts = [...src.matchAll(/(?<!=)>([^<>{}`;=()]*[A-Za-z][^<>{}`;=()]*)</g)].map((m) => m[1]!.trim()).filter((t) => t !== '' && !/&&|\|\|/.test(t) && !SAME_IN_EVERY_LANGUAGE.has(t));
    expect(texts).toEqual([]);
    // Text in the attributes a person reads (a label, a placeholder, a tooltip, a screen reader's name).
    const attrs = [...src.matchAll(/\b(?:label|placeholder|title|aria-label|description)="([^"]*[A-Za-z][^"]*)"/g)].map((m) => m[1]!).filter((t) => !SAME_IN_EVERY_LANGUAGE.has(t));
    expect(attrs).toEqual([]);
  });

  it("say the backend's coded errors in both languages, the English exactly the backend's sentence", async () => {
    const params = { myid: 3, id: 'f7', faults: 'f1, f2' };
    for (const code of Object.keys(ERROR_SENTENCES) as ErrorCode[]) {
      const backend = new LabError(code, params);
      // What the page gets: the sentence, the code and the parameters (src/shared/rpc.ts).
      const received = new ReplyError(backend.message, backend.code, backend.params);
      await i18n.changeLanguage('en');
      expect(errorText(received)).toBe(backend.message);
      await i18n.changeLanguage('zh');
      const zhText = errorText(received);
      expect(zhText).not.toBe(backend.message);
      expect(zhText).toMatch(/[\u4e00-\u9fff]/);
      for (const [k, v] of Object.entries(params)) if (ERROR_SENTENCES[code].includes(`{{${k}}}`)) expect(zhText).toContain(String(v));
    }
    // An error without a code (or with one the catalogue lacks) is shown as it came.
    expect(errorText(new ReplyError('Something only the backend says.'))).toBe('Something only the backend says.');
    expect(errorText(new ReplyError('A newer backend says this.', 'notInTheCatalogue'))).toBe('A newer backend says this.');
    await i18n.changeLanguage('en');
  });

  it("say the backend's coded steps and events in both languages, the English exactly the backend's", async () => {
    const params = { myid: 3, total: 5, znodes: 1234567, path: '/var/zk/version-2', done: 3 * 1048576 + 5000, files: 4, file: 'snapshot.1a', pid: 4242, ms: 2000, from: 'follower', to: 'looking', leader: 2, role: 'looking', epoch: 4, previous: 2, previousEpoch: 3, id: 'f2', fault: 'isolate member 3', groups: '1,2 | 3', a: 1, b: 2, jitter: 50, type: 'PROPOSAL' };
    for (const code of Object.keys(SAID_SENTENCES) as SaidCode[]) {
      const s = said(code, code === 'progressCopying' || code === 'progressPlacing' ? { ...params, total: 250 * 1048576 } : params);
      const english = sayEnglish(s);
      await i18n.changeLanguage('en');
      // The page's English (through its formatters) is what zk-lab and the logs print.
      expect(progressText({ step: 'not this', said: s }), code).toBe(english);
      await i18n.changeLanguage('zh');
      const zhText = progressText({ step: english, said: s });
      expect(zhText, code).not.toMatch(/\{\{/);
      if (!/^epoch/.test(code) && code !== 'faultStarted') expect(zhText, code).toMatch(/[\u4e00-\u9fff]/);
    }
    // Numbers per locale: the grouping and the MB of a byte count.
    await i18n.changeLanguage('zh');
    expect(progressText({ step: '', said: said('progressStartingLoading', { myid: 1, total: 3, znodes: 1234567 }) })).toBe('正在启动节点 1（共 3 个；正在加载 1,234,567 个 znode）');
    // A fault's event names the fault in the page's language, from its spec.
    const e = { detail: 'f2: isolate member 3', data: { id: 'f2', spec: { kind: 'isolate', myid: 3 }, said: said('faultStarted', { id: 'f2', fault: 'isolate member 3' }) } };
    expect(eventText(e)).toBe('f2：隔离成员 3');
    // Without a code, or with one this page does not know, the backend's English as it came.
    expect(eventText({ detail: 'node 2 is up: follower', data: {} })).toBe('node 2 is up: follower');
    expect(progressText({ step: 'A newer step', said: { code: 'notInTheCatalogue', params: {} } })).toBe('A newer step');
    await i18n.changeLanguage('en');
  });

  it('follows the system language, and answers in Chinese when switched', async () => {
    expect(systemLanguage(['zh-CN', 'en-US'])).toBe('zh');
    expect(systemLanguage(['zh-TW'])).toBe('zh');
    expect(systemLanguage(['fr-FR', 'en-GB'])).toBe('en');
    expect(systemLanguage(['de-DE'])).toBe('en');
    await i18n.changeLanguage('zh');
    expect(i18n.t('cluster.launch', { size: 5 })).toBe('启动 5 节点实验室');
    await i18n.changeLanguage('en');
    expect(i18n.t('cluster.startDown', { count: 2 })).toBe('Start 2 down nodes');
  });
});
