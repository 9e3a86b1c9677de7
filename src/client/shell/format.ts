// How zkCli.sh 3.8 prints things: Stat (StatPrinter with java.util.Date), ACL ids (jute's CSV
// toString), watch events, and the sentence for each KeeperException (CliWrapperException).
import { Err } from '../../protocol/codes';
import type { Id, Stat } from '../../protocol/records';
import { ZkError } from '../errors';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** java.util.Date.toString() in the local zone: "Wed Nov 25 07:35:37 UTC 2026". */
export function javaDate(ms: bigint | number): string {
  const d = new Date(Number(ms));
  const p = (n: number) => String(n).padStart(2, '0');
  const zonePart = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName');
  // Java names UTC "UTC" where Intl says "GMT"; other zones use the same short names.
  const zone = !zonePart || zonePart.value === 'GMT' ? 'UTC' : zonePart.value;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone} ${d.getFullYear()}`;
}

/** Long.toHexString: two's complement for negatives. */
export function javaHex(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

/** StatPrinter.print: eleven lines. */
export function formatStat(s: Stat): string[] {
  return [
    `cZxid = 0x${javaHex(s.czxid)}`,
    `ctime = ${javaDate(s.ctime)}`,
    `mZxid = 0x${javaHex(s.mzxid)}`,
    `mtime = ${javaDate(s.mtime)}`,
    `pZxid = 0x${javaHex(s.pzxid)}`,
    `cversion = ${s.cversion}`,
    `dataVersion = ${s.version}`,
    `aclVersion = ${s.aversion}`,
    `ephemeralOwner = 0x${javaHex(s.ephemeralOwner)}`,
    `dataLength = ${s.dataLength}`,
    `numChildren = ${s.numChildren}`,
  ];
}

/** jute's Utils.toCSVString: a leading quote, and , % } NUL CR LF escaped. */
function csvString(s: string): string {
  let out = "'";
  for (const c of s) {
    switch (c) {
      case '\0':
        out += '%00';
        break;
      case '\n':
        out += '%0A';
        break;
      case '\r':
        out += '%0D';
        break;
      case ',':
        out += '%2C';
        break;
      case '}':
        out += '%7D';
        break;
      case '%':
        out += '%25';
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** Id.toString() as getAcl prints it: "'world,'anyone" followed by a newline (CSV record end). */
export function formatId(id: Id): string {
  return `${csvString(id.scheme)},${csvString(id.id)}\n`;
}

/** The message zkCli prints for an error from the client (CliWrapperException.getMessage). */
export function errorText(e: unknown): string {
  if (e instanceof ZkError) {
    const p = e.path ?? 'null';
    switch (e.code) {
      case Err.NONODE:
        return `Node does not exist: ${p}`;
      case Err.NOCHILDRENFOREPHEMERALS:
        return `Ephemerals cannot have children: ${p}`;
      case Err.NODEEXISTS:
        return `Node already exists: ${p}`;
      case Err.NOTEMPTY:
        return `Node not empty: ${p}`;
      case Err.NOTREADONLY:
        return `Not a read-only call: ${p}`;
      case Err.INVALIDACL:
        return `Acl is not valid : ${p}`;
      case Err.NOAUTH:
        return `Insufficient permission : ${p}`;
      case Err.BADARGUMENTS:
        return `Arguments are not valid : ${p}`;
      case Err.BADVERSION:
        return `version No is not valid : ${p}`;
      case Err.RECONFIGINPROGRESS:
        return 'Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)';
      case Err.NEWCONFIGNOQUORUM:
        return 'No quorum of new config is connected and up-to-date with the leader of last commmitted config - try invoking reconfiguration after new servers are connected and synced';
      case Err.QUOTAEXCEEDED:
        return `Quota has exceeded : ${p}`;
    }
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** String.hashCode (int arithmetic). */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Keys in the order java.util.Properties (a ConcurrentHashMap since Java 9) iterates them
 * after loading them in `keys` order: by bin of the spread hash, then insertion order.
 */
export function javaPropertiesOrder(keys: string[]): string[] {
  let size = 16;
  while (keys.length >= size * 0.75) size *= 2;
  const bin = (k: string) => {
    const h = javaStringHash(k);
    return ((h ^ (h >>> 16)) & 0x7fffffff) & (size - 1);
  };
  return keys.map((k, i) => ({ k, i, b: bin(k) })).sort((a, b) => a.b - b.b || a.i - b.i).map((x) => x.k);
}

/** ConfigUtils.getClientConfigStr: "<version> host:port,host:port" from /zookeeper/config text. */
export function clientConfigString(config: string): string {
  const entries = new Map<string, string>();
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.search(/[=:]/);
    if (eq < 0) continue;
    entries.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  let version = '';
  const addrs: string[] = [];
  for (const key of javaPropertiesOrder([...entries.keys()])) {
    const value = entries.get(key)!;
    if (key === 'version') version = value;
    if (!key.startsWith('server.')) continue;
    const client = value.split(';')[1];
    if (client === undefined) {
      addrs.push('');
      continue;
    }
    const c = client.trim();
    const colon = c.lastIndexOf(':');
    addrs.push(colon < 0 ? `0.0.0.0:${c}` : c);
  }
  return `${version} ${addrs.join(',')}`;
}
