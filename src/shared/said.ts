// What the backend says that the page shows beside its errors: launch progress steps, event
// details, fault descriptions. As with errors (errors.ts), each sentence has a stable code and
// parameters next to the English the backend keeps (zk-lab, --json and the logs unchanged); the
// page says the catalogue's sentence for the code in its language (src/renderer/i18n, section
// `said`), and the English as it came for text without a code. A parameter written
// `{{name, number}}` is a number the page formats per locale; `{{name, mb}}` a byte count it
// writes in MB; both through i18next's formatters on the page, and in en-US here.
import type { FaultSpec } from './net';

export type SaidParams = Record<string, string | number>;
export interface Said {
  code: SaidCode;
  params: SaidParams;
}

/** The English sentence of each code; test/lint/i18n.test.ts checks the English catalogue holds exactly these. */
export const SAID_SENTENCES = {
  // Launch and open-dataDir progress.
  progressPorts: 'Choosing free ports and writing zoo.cfg files',
  progressNetwork: "Opening the lab's network (a relay per pair of members)",
  progressStarting: 'Starting node {{myid}} of {{total}}',
  progressStartingLoading: 'Starting node {{myid}} of {{total}} (loading {{znodes, number}} znodes)',
  progressElecting: 'Waiting for the ensemble to elect a leader',
  progressServing: 'Waiting for the server to serve',
  progressCopying: 'Copying {{path}}: {{done, mb}} of {{total, mb}}',
  progressCopied: 'Copied {{files}} files ({{total, mb}}); checking them',
  progressChecking: 'Checking {{file}}: {{done, mb}} of {{total, mb}} read, {{znodes, number}} znodes',
  progressChecked: 'Checked {{file}}: {{done, mb}} of {{total, mb}} read, {{znodes, number}} znodes',
  progressReplaying: 'Replaying {{file}}: {{done, mb}} of {{total, mb}} read, {{znodes, number}} znodes',
  progressLoaded: 'Loaded: {{done, mb}} of {{total, mb}} read, {{znodes, number}} znodes',
  progressPlacing: 'Giving every member its copy: {{done, mb}} of {{total, mb}}',
  // Events of the lab's history.
  nodeKilled: 'node {{myid}} killed (SIGKILL)',
  nodeStopped: 'node {{myid}} stopped (SIGTERM)',
  nodeStoppedToRestart: 'node {{myid}} stopped (SIGTERM) to restart',
  nodePaused: 'node {{myid}} paused (SIGSTOP)',
  nodeResumed: 'node {{myid}} resumed (SIGCONT)',
  nodeStartedOurs: 'node {{myid}} started (pid {{pid}}, our server)',
  nodeStartedApache: 'node {{myid}} started (pid {{pid}}, Apache ZooKeeper 3.8)',
  nodeSlowed: 'node {{myid}} applies commits {{ms}} ms late (lab fault): reads through it lag until sync',
  nodeUnslowed: 'node {{myid}} applies commits at once again',
  nodeRole: 'node {{myid}}: {{from}} → {{to}}',
  electionNoLeaderYet: 'election started: the ensemble has no leader yet',
  electionLeaderDown: 'election started: leader {{leader}} went down',
  electionLeaderSilent: 'election started: leader {{leader}} stopped answering',
  electionLeaderIs: 'election started: leader {{leader}} is {{role}}',
  electionLeaderLostQuorum: 'election started: leader {{leader}} lost its quorum',
  electionBetweenPolls: 'election started between two polls: node {{myid}} leads in epoch {{epoch}}, after leader {{previous}} in epoch {{previousEpoch}}',
  electionEnded: 'election ended after {{ms}} ms: node {{myid}} leads in epoch {{epoch}}',
  electionEndedNoEpoch: 'election ended after {{ms}} ms: node {{myid}} leads',
  leaderFirst: 'node {{myid}} leads',
  leaderChanged: 'node {{myid}} leads (was node {{previous}})',
  epochFirst: 'epoch {{epoch}}',
  epochChanged: 'epoch {{previous}} → {{epoch}}',
  faultStarted: '{{id}}: {{fault}}',
  faultHealed: '{{id}} healed: {{fault}}',
  // Fault descriptions (the Network panel, the events of faults).
  faultPartition: 'partition {{groups}}',
  faultIsolate: 'isolate member {{myid}}',
  faultBridge: 'bridge: member {{myid}} hears both sides',
  faultOneway: "one-way cut: {{from}}'s messages to {{to}} are lost",
  faultSlowAll: 'slow link on every link of {{a}}: {{ms}} ms',
  faultSlowAllJitter: 'slow link on every link of {{a}}: {{ms}} ms ± {{jitter}} ms',
  faultSlow: 'slow link {{a}} ↔ {{b}}: {{ms}} ms',
  faultSlowJitter: 'slow link {{a}} ↔ {{b}}: {{ms}} ms ± {{jitter}} ms',
  faultHold: 'hold {{type}}s',
  faultHoldFrom: 'hold {{type}}s from {{from}}',
  faultHoldTo: 'hold {{type}}s to {{to}}',
  faultHoldFromTo: 'hold {{type}}s from {{from}} to {{to}}',
  faultClientCut: 'clients cut off member {{myid}}',
  faultDiskFull: 'disk full on member {{myid}}',
  faultDiskStall: 'fsync on member {{myid}} stalls {{ms}} ms',
  faultKill: 'member {{myid}} killed (SIGKILL)',
  faultStop: 'member {{myid}} stopped (SIGTERM)',
  faultPause: 'member {{myid}} paused (SIGSTOP)',
  faultSlowApply: 'member {{myid}} applies commits {{ms}} ms late',
} as const;

export type SaidCode = keyof typeof SAID_SENTENCES;

/** A byte count as the backend has always written it: "3.2 MB", "120 MB". */
export const mbText = (n: number): string => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MB`;

/** The English sentence with its parameters in place (numbers as en-US writes them). */
export function sayEnglish(s: Said): string {
  return SAID_SENTENCES[s.code].replace(/\{\{(\w+)(?:, (\w+))?\}\}/g, (_, k: string, format: string | undefined) => {
    const v = s.params[k];
    if (v === undefined) return `{{${k}}}`;
    if (format === 'mb' && typeof v === 'number') return mbText(v);
    if (format === 'number' && typeof v === 'number') return v.toLocaleString('en-US');
    return String(v);
  });
}

export function said(code: SaidCode, params: SaidParams = {}): Said {
  return { code, params };
}

/** What a fault does, as a code and parameters (describeFault in src/lab/net/rules.ts is its English). */
export function faultSaid(s: FaultSpec): Said {
  switch (s.kind) {
    case 'partition':
      return said('faultPartition', { groups: s.groups.map((g) => g.join(',')).join(' | ') });
    case 'isolate':
      return said('faultIsolate', { myid: s.myid });
    case 'bridge':
      return said('faultBridge', { myid: s.myid });
    case 'oneway':
      return said('faultOneway', { from: s.from, to: s.to });
    case 'slow':
      if (s.b === null) return s.jitterMs ? said('faultSlowAllJitter', { a: s.a, ms: s.ms, jitter: s.jitterMs }) : said('faultSlowAll', { a: s.a, ms: s.ms });
      return s.jitterMs ? said('faultSlowJitter', { a: s.a, b: s.b, ms: s.ms, jitter: s.jitterMs }) : said('faultSlow', { a: s.a, b: s.b, ms: s.ms });
    case 'hold': {
      const to = s.to?.join(',');
      if (s.from !== null && to !== undefined) return said('faultHoldFromTo', { type: s.type, from: s.from, to });
      if (s.from !== null) return said('faultHoldFrom', { type: s.type, from: s.from });
      if (to !== undefined) return said('faultHoldTo', { type: s.type, to });
      return said('faultHold', { type: s.type });
    }
    case 'client-cut':
      return said('faultClientCut', { myid: s.myid });
    case 'disk':
      return s.mode === 'full' ? said('faultDiskFull', { myid: s.myid }) : said('faultDiskStall', { myid: s.myid, ms: s.ms ?? 0 });
    case 'kill':
      return said('faultKill', { myid: s.myid });
    case 'stop':
      return said('faultStop', { myid: s.myid });
    case 'pause':
      return said('faultPause', { myid: s.myid });
    case 'slow-apply':
      return said('faultSlowApply', { myid: s.myid, ms: s.ms });
  }
}
