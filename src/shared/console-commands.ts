// The commands of the member console (the Console view, the `member.command` request): the
// four-letter words and the AdminServer commands that both our server and Apache ZooKeeper 3.8
// answer, each with what it is for, in our words after ZooKeeper's administrator's guide
// ("The Four Letter Words", "The AdminServer"), in English and Chinese. The names are a
// contract: the request takes them as they are here.

export type ConsoleKind = '4lw' | 'admin';

export interface ConsoleCommand {
  kind: ConsoleKind;
  name: string;
  /** It changes the member's counters (a reset): the console says so before it is sent. */
  resets?: boolean;
  en: string;
  zh: string;
}

export const FOUR_LETTER_WORDS: ConsoleCommand[] = [
  { kind: '4lw', name: 'ruok', en: 'Are you ok? "imok" if the server runs; it says nothing about whether it serves (a member without a quorum answers imok too).', zh: '你还好吗？服务器进程在运行就回答 "imok"；它不说明是否在提供服务（没有法定人数的成员也回答 imok）。' },
  { kind: '4lw', name: 'srvr', en: 'The server in brief: version, latency min/avg/max, bytes and packets, outstanding requests, the last zxid, its mode (leader, follower, observer, standalone) and the znode count.', zh: '服务器概要：版本、延迟最小/平均/最大值、收发字节与包数、未完成请求、最后的 zxid、模式（leader、follower、observer、standalone）和 znode 数。' },
  { kind: '4lw', name: 'stat', en: 'srvr plus the list of connected clients, one line each.', zh: 'srvr 的内容，再加上已连接客户端的列表，每个一行。' },
  { kind: '4lw', name: 'conf', en: 'The configuration the server runs with: ports, dataDir, tickTime, initLimit, syncLimit, the ensemble, its electionAlg and the quorum verifier.', zh: '服务器运行所用的配置：端口、dataDir、tickTime、initLimit、syncLimit、集群成员、选举算法和法定人数校验器。' },
  { kind: '4lw', name: 'cons', en: 'Every connection to this server, with its session id, packets, queued requests, latencies and last operation.', zh: '连接到这台服务器的每个连接：会话 id、包数、排队的请求、延迟和最后一次操作。' },
  { kind: '4lw', name: 'crst', resets: true, en: 'Resets the connection and session statistics of every connection (the counters cons shows).', zh: '重置所有连接的连接与会话统计（cons 显示的计数器）。' },
  { kind: '4lw', name: 'srst', resets: true, en: 'Resets the server statistics (latencies, packet counts) that srvr and stat show.', zh: '重置 srvr 和 stat 显示的服务器统计（延迟、包计数）。' },
  { kind: '4lw', name: 'dump', en: 'On the leader: the sessions and their ephemeral znodes, and the session expiry queue. Elsewhere: the ephemerals this server knows.', zh: '在 leader 上：会话及其临时 znode，以及会话过期队列。在其他成员上：这台服务器所知道的临时节点。' },
  { kind: '4lw', name: 'envi', en: "The server's environment: ZooKeeper version, host, Java version and vendor, class path, OS, user and directories.", zh: '服务器的环境：ZooKeeper 版本、主机、Java 版本与厂商、类路径、操作系统、用户和目录。' },
  { kind: '4lw', name: 'mntr', en: 'Every metric as key<TAB>value lines, for monitoring: state, latencies, znode and watch counts, followers, pending syncs, file descriptors.', zh: '以 key<TAB>value 行给出所有指标，供监控使用：状态、延迟、znode 和监视数、follower 数、待同步数、文件描述符。' },
  { kind: '4lw', name: 'wchs', en: 'Watches in brief: how many connections hold watches, on how many paths, and the total.', zh: '监视概要：多少个连接持有监视、涉及多少路径，以及总数。' },
  { kind: '4lw', name: 'wchc', en: 'Watches by session: each session and the paths it watches. Can be costly on a server with many watches.', zh: '按会话列出监视：每个会话及其监视的路径。监视很多时可能开销较大。' },
  { kind: '4lw', name: 'wchp', en: 'Watches by path: each watched path and the sessions watching it. Can be costly on a server with many watches.', zh: '按路径列出监视：每个被监视的路径及监视它的会话。监视很多时可能开销较大。' },
  { kind: '4lw', name: 'isro', en: '"ro" if the server is in read-only mode (cut off from its quorum with readonlymode.enabled), else "rw".', zh: '服务器处于只读模式（启用 readonlymode.enabled 且与法定人数断开）时回答 "ro"，否则 "rw"。' },
  { kind: '4lw', name: 'dirs', en: 'The bytes of snapshots and transaction logs in the data directories.', zh: '数据目录中快照和事务日志的字节数。' },
  { kind: '4lw', name: 'gtmk', en: 'The current trace mask, as a decimal number.', zh: '当前的跟踪掩码（十进制数）。' },
  { kind: '4lw', name: 'hash', en: "The digest of the data tree at recent zxids (zookeeper.digest.enabled): members with the same digest at a zxid hold the same tree.", zh: '最近若干 zxid 处数据树的摘要（zookeeper.digest.enabled）：在同一 zxid 摘要相同的成员持有相同的树。' },
];

export const ADMIN_COMMANDS: ConsoleCommand[] = [
  { kind: 'admin', name: 'ruok', en: 'The ruok word as JSON: an answer at all means the server runs.', zh: 'JSON 形式的 ruok：只要有回答就说明服务器在运行。' },
  { kind: 'admin', name: 'server_stats', en: 'The srvr figures as JSON: version, read-only or not, latencies, packets, outstanding requests, the last zxid, the state, node count and more.', zh: 'JSON 形式的 srvr 数据：版本、是否只读、延迟、包数、未完成请求、最后的 zxid、状态、节点数等。' },
  { kind: 'admin', name: 'stats', en: 'server_stats plus the client connections (the stat word as JSON).', zh: 'server_stats 再加上客户端连接（JSON 形式的 stat）。' },
  { kind: 'admin', name: 'monitor', en: 'Every metric as JSON (the mntr word), the same keys without the zk_ prefix.', zh: 'JSON 形式的全部指标（即 mntr），键名相同但没有 zk_ 前缀。' },
  { kind: 'admin', name: 'zabstate', en: "The ZAB phase this server is in (election, discovery, synchronization, broadcast) and its last zxid; the lab's node cards read it.", zh: '这台服务器所处的 ZAB 阶段（election、discovery、synchronization、broadcast）及其最后的 zxid；实验室的节点卡片就读取它。' },
  { kind: 'admin', name: 'leader', en: 'Whether this server leads, and the leader it knows: its id and address.', zh: '这台服务器是否为 leader，以及它所知道的 leader：编号和地址。' },
  { kind: 'admin', name: 'voting_view', en: "The members that vote, as this server's quorum verifier sees them, with their addresses.", zh: '按这台服务器的法定人数校验器所见，参与投票的成员及其地址。' },
  { kind: 'admin', name: 'observers', en: 'On the leader: the observers connected to it. Elsewhere: an empty list.', zh: '在 leader 上：连接到它的 observer。在其他成员上：空列表。' },
  { kind: 'admin', name: 'configuration', en: 'The configuration as JSON (the conf word).', zh: 'JSON 形式的配置（即 conf）。' },
  { kind: 'admin', name: 'initial_configuration', en: 'The configuration file as the server read it at start.', zh: '服务器启动时读到的配置文件内容。' },
  { kind: 'admin', name: 'connections', en: 'Every client connection as JSON (the cons word).', zh: 'JSON 形式的每个客户端连接（即 cons）。' },
  { kind: 'admin', name: 'connection_stat_reset', resets: true, en: 'Resets the statistics of every connection (crst).', zh: '重置每个连接的统计（即 crst）。' },
  { kind: 'admin', name: 'stat_reset', resets: true, en: 'Resets the server statistics (srst).', zh: '重置服务器统计（即 srst）。' },
  { kind: 'admin', name: 'observer_connection_stat_reset', resets: true, en: "Resets the statistics of the observers' connections to the leader.", zh: '重置 observer 到 leader 连接的统计。' },
  { kind: 'admin', name: 'dump', en: 'Sessions and their ephemeral znodes as JSON (the dump word).', zh: 'JSON 形式的会话及其临时 znode（即 dump）。' },
  { kind: 'admin', name: 'environment', en: "The server's environment as JSON (the envi word).", zh: 'JSON 形式的服务器环境（即 envi）。' },
  { kind: 'admin', name: 'system_properties', en: 'The Java system properties of the server (for ours: the equivalents it runs with).', zh: '服务器的 Java 系统属性（对我们的服务器：它运行时的等价设置）。' },
  { kind: 'admin', name: 'watch_summary', en: 'Watches in brief as JSON (the wchs word).', zh: 'JSON 形式的监视概要（即 wchs）。' },
  { kind: 'admin', name: 'watches', en: 'Watches by session as JSON (the wchc word).', zh: 'JSON 形式的按会话监视列表（即 wchc）。' },
  { kind: 'admin', name: 'watches_by_path', en: 'Watches by path as JSON (the wchp word).', zh: 'JSON 形式的按路径监视列表（即 wchp）。' },
  { kind: 'admin', name: 'is_read_only', en: 'Whether the server is in read-only mode, as JSON (the isro word).', zh: 'JSON 形式的是否处于只读模式（即 isro）。' },
  { kind: 'admin', name: 'dirs', en: 'The bytes of snapshots and logs as JSON (the dirs word).', zh: 'JSON 形式的快照和日志字节数（即 dirs）。' },
  { kind: 'admin', name: 'last_snapshot', en: 'The zxid and time of the last snapshot the server took or loaded.', zh: '服务器最近一次生成或加载的快照的 zxid 和时间。' },
  { kind: 'admin', name: 'get_trace_mask', en: 'The current trace mask (the gtmk word).', zh: '当前的跟踪掩码（即 gtmk）。' },
  { kind: 'admin', name: 'hash', en: 'The data tree digests at recent zxids (the hash word).', zh: '最近若干 zxid 处的数据树摘要（即 hash）。' },
];

export const CONSOLE_COMMANDS: ConsoleCommand[] = [...FOUR_LETTER_WORDS, ...ADMIN_COMMANDS];

export function consoleCommand(kind: ConsoleKind, name: string): ConsoleCommand | undefined {
  return CONSOLE_COMMANDS.find((c) => c.kind === kind && c.name === name);
}
