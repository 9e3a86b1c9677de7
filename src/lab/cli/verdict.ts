// zk-lab check's verdict as text: the verdict in one line, then for a violation what no order
// explains and the operations around it, one line each, times relative to the first shown.
import type { Counterexample, Verdict } from '../../shared/check/check';

const MODEL_WORDS = {
  linearizable: 'linearizable (every operation, reads included, at one instant between its call and its return)',
  zookeeper: "ZooKeeper's guarantees (writes linearizable, sessions in order, reads possibly stale but never going back)",
} as const;

export function verdictText(v: Verdict): string {
  const head = `${v.ops} operation${v.ops === 1 ? '' : 's'} on ${v.keys} key${v.keys === 1 ? '' : 's'}, checked as ${MODEL_WORDS[v.model]}`;
  if (v.verdict === 'ok') return `ok: ${head}.`;
  if (v.verdict === 'undecided') return `undecided: ${head}; ${v.undecided ?? 'the search reached its bound'}. A longer --time-limit may decide it.`;
  return `violation: ${head}.\n${counterexampleText(v.counterexample!)}`;
}

function counterexampleText(c: Counterexample): string {
  const t0 = Math.min(...c.ops.map((o) => o.invoke));
  const ms = (t: number | null): string => (t === null ? '…' : `${(t - t0).toFixed(1)}`);
  const lines = c.ops.map((o) => {
    const what =
      o.f === 'read' ? `read  ${o.result === 'ok' ? `"${o.value}" v${o.version}` : ''}` : o.f === 'write' ? `write "${o.value}"` : o.f === 'cas' ? `cas   v${o.version} -> "${o.value}"` : o.f;
    const mark = o.index === c.culprit ? '  <- no order explains this' : '';
    return `  ${String(o.index + 1).padStart(6)}  p${String(o.process).padEnd(3)} ${`${ms(o.invoke)}–${ms(o.complete)} ms`.padEnd(18)} ${what.padEnd(28)} ${o.result}${mark}`;
  });
  return [
    `On ${c.key}: ${c.explanation}.`,
    `Operations around it (line, process, time from ${t0.toFixed(1)} ms, what, result)${c.earlier ? `; ${c.earlier} earlier operation${c.earlier === 1 ? '' : 's'} on ${c.key} not shown` : ''}:`,
    ...lines,
  ].join('\n');
}
