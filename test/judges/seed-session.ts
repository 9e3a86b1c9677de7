// The seed tutorial's zkCli session and how transcripts are compared.

/** The seed's zkCli session, plus the error cases and ACL/auth commands. */
export const SEED_SESSION = [
  'ls /',
  'create /sanguo "diaochan"',
  'create /sanguo/shuguo "liubei"',
  'create -s /sanguo/weiguo "caocao"',
  'create -s /sanguo/weiguo "caocao"',
  'create -e /sanguo/wuguo "zhouyu"',
  'create -e -s /sanguo/wuguo "zhouyu"',
  'ls /sanguo',
  'ls -s /sanguo',
  'get -s /sanguo',
  'get /sanguo/shuguo',
  'set /sanguo/weiguo0000000001 "simayi"',
  'set -s /sanguo "xishi"',
  'set -s -v 1 /sanguo "yangyuhuan"',
  'set -v 1 /sanguo "wrong version"',
  'stat /sanguo',
  'stat /nosuch',
  'get /nosuch',
  'create /sanguo "again"',
  'create /a/b/c "no parent"',
  'create noslash "x"',
  'delete -v 7 /sanguo/shuguo',
  'delete /sanguo',
  'delete -v 0 /sanguo/shuguo',
  'ls /sanguo',
  'getAcl /sanguo',
  'setAcl /sanguo world:anyone:cdrwa',
  'getAcl -s /sanguo',
  'setAcl -v 5 /sanguo world:anyone:cdrw',
  'addauth digest alice:secret',
  'create /secret "s" auth:alice:secret:cdrwa',
  'getAcl /secret',
  'whoami',
  'getAllChildrenNumber /',
  'getEphemerals /',
  'create -c /cont "container"',
  'create -t 10000 /ttl "ttl"',
  'deleteall /sanguo',
  'ls /',
  'stat /zookeeper',
  'get /zookeeper/config',
  'sync /',
  'create /q "data"',
  'create /q/a "aaaa"',
  'setquota -n 5 /q',
  'setquota -b 100 /q/a',
  'listquota /q',
  'create /q/b "bb"',
  'set /q/a "aaaaaaaa"',
  'listquota /q',
  'get /zookeeper/quota/q/zookeeper_stats',
  'ls -R /zookeeper',
  'delquota -n /q',
  'listquota /q',
  'delquota /q',
  'listquota /q',
  'get -w /q',
  'set /q "changed"',
  // Watches are triggered by commands that print nothing: zkCli prints events from another
  // thread, so an event and a command's own output may come in either order.
  'ls -w /q',
  'delete /q/b',
  'stat -w /q/a',
  'set /q/a "x"',
  'ls -s -w /q',
  'deleteall /q',
  'quit',
];

/** Removes what legitimately differs between two runs: times, session ids, ports, JVM noise. */
export function maskTranscript(s: string): string {
  // zkCli prints watch events from its event thread, so where they land among the command
  // output is a race, even between the two lines of one event ("WATCHER::", then the event: a
  // fresh-clone run had a command's output between them). And `quit` exits the JVM while that
  // thread may still be printing the Closed event: whole, only its header, or absent. So the
  // command output is compared in order, the events other than Closed as a sorted list, and the
  // headers are dropped.
  const lines = maskLines(s).split('\n');
  const events: string[] = [];
  const output: string[] = [];
  for (const line of lines) {
    if (line === 'WATCHER::' || line === 'WatchedEvent state:Closed type:None path:null') continue;
    if (line.startsWith('WatchedEvent ')) events.push(line);
    else output.push(line);
  }
  return [...output, `--- ${events.length} watch events ---`, ...events.sort()].join('\n');
}

function maskLines(s: string): string {
  return s
    .split('\n')
    .filter((l) => !/^SLF4J|^log4j|^\s*$|^JLine|^Welcome to ZooKeeper|^\d{4}-\d\d-\d\d /.test(l))
    .map((l) =>
      l
        .replace(/^(ctime|mtime) = .*/, '$1 = <time>')
        .replace(/^ephemeralOwner = 0x[0-9a-f]+/, (m) => (m.endsWith('0x0') ? m : 'ephemeralOwner = <session>'))
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
        .replace(/(wuguo)\d{10}/, '$1<seq>'),
    )
    .join('\n');
}

