// Transcript tests in the style of etcd raft's interaction tests: a script of commands over a
// simulated ensemble (no random delays, no automatic ticks: time moves only when the script
// says so), each followed by the events the members emitted. Commands:
//
//   add-nodes <n> [observers=<k>] [commitLogCount=<c>] [zxidCounterLimit=<z>] [snapCount=<s>]
//   start <sid>...          boot members from their disks (restart after a crash, too)
//   stabilize [votes]       deliver everything due now (messages, disk writes, reloads)
//   elapse <ms> [votes]     let logical time pass, firing election timers
//   tick [n] [votes]        n half-ticks on every member, each followed by stabilize
//   write <sid> [count]     client writes submitted at a member
//   sync <sid>              a client sync at a member
//   crash <sid>...          kill -9
//   wipe <sid>...           delete a stopped member's data directory
//   partition <a,b> <c,...> split the network; heal joins it again
//   status                  one line per member
//
// Output lists every event except votes sent and received (add `votes` to see those).
import { describeEvent } from '../../../src/protocol/events';
import { Cluster, DEFAULT_SIM } from './cluster';
import { Rng } from './rng';

export interface Block {
  command: string;
  expected: string;
}

/** Splits a transcript file into command blocks (command, `----`, output, blank line). */
export function parseTranscript(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const command = line.trim();
    i++;
    if (lines[i] !== '----') throw new Error(`transcript line ${i + 1}: expected ---- after "${command}"`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
    blocks.push({ command, expected: out.join('\n') });
  }
  return blocks;
}

export function formatTranscript(blocks: { command: string; actual: string }[], header: string): string {
  return header + blocks.map((b) => `${b.command}\n----\n${b.actual}\n`).join('\n');
}

/** The comment lines at the top of a transcript (kept when rewriting). */
export function headerOf(text: string): string {
  const lines = text.split('\n');
  const head: string[] = [];
  for (const l of lines) {
    if (l.startsWith('#') || (l.trim() === '' && head.length > 0 && head[head.length - 1]!.startsWith('#'))) head.push(l);
    else break;
  }
  return head.length > 0 ? head.join('\n').replace(/\n*$/, '\n\n') : '';
}

/** Runs transcript commands against one simulated ensemble. */
export class TranscriptRunner {
  private c: Cluster | null = null;
  private op = 0;

  private cluster(): Cluster {
    if (!this.c) throw new Error('add-nodes first');
    return this.c;
  }

  run(command: string): string {
    const [verb, ...args] = command.split(/\s+/);
    const flags = new Set(args.filter((a) => !/^\d/.test(a) && !a.includes('=')));
    const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
    const kv = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));
    if (verb === 'add-nodes') {
      this.c = new Cluster(
        {
          ...DEFAULT_SIM,
          voters: nums[0] ?? 3,
          observers: Number(kv.observers ?? 0),
          commitLogCount: Number(kv.commitLogCount ?? 500),
          zxidCounterLimit: Number(kv.zxidCounterLimit ?? 0xffffffff),
          snapCount: Number(kv.snapCount ?? 1_000_000),
          delayMin: 0,
          delayMax: 0,
          diskDelayMin: 0,
          diskDelayMax: 0,
          manualTicks: true,
          traceLines: 0,
        },
        new Rng(1),
      );
      return [...this.c.members.values()].map((m) => `${m.sid}: ${m.observer ? 'observer' : 'participant'}`).join('\n');
    }
    const c = this.cluster();
    c.recording = true;
    c.recent.length = 0;
    switch (verb) {
      case 'start':
        for (const sid of nums) c.start(sid);
        break;
      case 'stabilize':
        c.runUntil(c.now);
        break;
      case 'elapse':
        c.runUntil(c.now + (nums[0] ?? 0));
        break;
      case 'tick':
        for (let i = 0; i < (nums[0] ?? 1); i++) {
          c.tickAll();
          c.runUntil(c.now);
        }
        break;
      case 'write': {
        const sid = nums[0]!;
        for (let i = 0; i < (nums[1] ?? 1); i++) {
          if (!c.submitWrite(1, ++this.op, sid)) return `member ${sid} does not serve`;
        }
        break;
      }
      case 'sync':
        if (!c.submitSync(1, nums[0]!)) return `member ${nums[0]} does not serve`;
        break;
      case 'crash':
        for (const sid of nums) c.crash(sid);
        break;
      case 'wipe':
        for (const sid of nums) c.wipe(sid);
        break;
      case 'partition':
        c.partition(args.map((g) => g.split(',').map(Number)));
        break;
      case 'heal':
        c.heal();
        break;
      case 'status':
        return c.describe();
      default:
        throw new Error(`unknown transcript command: ${command}`);
    }
    const lines = c.recent.filter(({ e }) => flags.has('votes') || (e.type !== 'vote.sent' && e.type !== 'vote.received')).map(({ e }) => describeEvent(e));
    return lines.length > 0 ? lines.join('\n') : 'ok';
  }
}
