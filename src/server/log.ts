// The member's log lines, in Apache ZooKeeper 3.8's layout (its conf/logback.xml pattern
// `%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n`), so the tools people point at a
// ZooKeeper log read ours:
//
//   2026-12-07 21:30:01,123 [myid:2] - INFO  [main:quorum/peer.ts@412] - LEADING - LEADER ELECTION TOOK - 31 MS
//
// The thread slot is `main`: JavaScript runs one thread, the one every line comes from. The class
// slot is the module that logged (its path under src/server) and the line of the call, read from
// the call's stack (mapped through dist's source maps to the .ts line; the .js line where the maps
// are gone). The level threshold is log4j's `zookeeper.root.logger` (`LEVEL[,APPENDER...]`),
// from the ZOO_LOG4J_PROP environment variable as zkServer.sh reads it, else zoo.cfg's
// `zookeeper.root.logger` key (a JVM property there); the appenders are ignored: the member writes
// to stdout (ERROR to stderr) and whoever runs it keeps the file (the lab: server.log, rolled).
import type { Logger, LogLevel } from './core';

/** log4j's levels, quietest last; ALL and OFF as log4j has them. */
const RANK: Record<string, number> = { ALL: 0, TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6, OFF: 7 };

/** The threshold of a `zookeeper.root.logger` value (`INFO,CONSOLE`), or an error sentence. */
export function parseRootLogger(value: string, from: string): { threshold: number } | { error: string } {
  const level = value.split(',')[0]!.trim().toUpperCase();
  const rank = RANK[level];
  if (rank === undefined) {
    return { error: `${from}=${value} does not start with a log level; give one of TRACE, DEBUG, INFO, WARN, ERROR or OFF, e.g. INFO,CONSOLE.` };
  }
  return { threshold: rank };
}

/** Where the threshold comes from: ZOO_LOG4J_PROP, else zoo.cfg's zookeeper.root.logger, else INFO. */
export function logThreshold(env: NodeJS.ProcessEnv, properties: Map<string, string>): { threshold: number } | { error: string } {
  const fromEnv = env.ZOO_LOG4J_PROP;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseRootLogger(fromEnv, 'ZOO_LOG4J_PROP');
  const fromCfg = properties.get('zookeeper.root.logger');
  if (fromCfg !== undefined) return parseRootLogger(fromCfg, 'zookeeper.root.logger in zoo.cfg');
  return { threshold: RANK.INFO! };
}

/** log4j's ISO8601 date: local time, `yyyy-MM-dd HH:mm:ss,SSS`. */
export function iso8601(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

/** `quorum/peer.ts@412` for the frame that called the logger; `?@?` when the stack says nothing. */
export function callSite(stack: string | undefined): string {
  // The first frame below the message line; captureStackTrace already cut the logger's own frames.
  const frame = (stack ?? '').split('\n').find((l) => /^\s+at /.test(l)) ?? '';
  const m = /\(?((?:[A-Za-z]:)?[^()]+?):(\d+):\d+\)?\s*$/.exec(frame);
  if (!m) return '?@?'; // as log4j writes a location it does not know
  const file = m[1]!.replace(/^file:\/\//, '');
  const under = /[\\/](?:src|dist)[\\/]server[\\/](.+)$/.exec(file);
  const name = (under ? under[1]! : file.split(/[\\/]/).pop()!).replace(/\\/g, '/');
  return `${name}@${m[2]}`;
}

/**
 * A logger writing ZooKeeper's layout to `out` (ERROR to `err`), dropping lines under the
 * threshold before any work (the call site costs a stack trace).
 */
export function makeLogger(myid: number | null, threshold: number, out: (line: string) => void, err: (line: string) => void = out): Logger {
  const log: Logger = (level: LogLevel, msg: string) => {
    if (RANK[level]! < threshold) return;
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder, log);
    const line = `${iso8601(new Date())} [myid:${myid ?? ''}] - ${level.padEnd(5)} [main:${callSite(holder.stack)}] - ${msg}\n`;
    (level === 'ERROR' ? err : out)(line);
  };
  return log;
}
