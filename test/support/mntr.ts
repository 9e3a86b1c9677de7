// mntr's text as key -> value (without the zk_ prefix), for tests that compare answers.
export function parseMntr(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (line.startsWith('zk_') && tab > 0) out.set(line.slice(3, tab), line.slice(tab + 1));
  }
  return out;
}
