// The seed walkthroughs' words, in one place: what each one is called, which section of the seed
// (a Chinese ZooKeeper 3.5.7 tutorial) it comes from, what the seed claims, what it needs and,
// for a walkthrough that erases data, what it erases. The backend (src/lab/learn) and bin/zk-lab
// read them from here; the UI reads them through its catalogues, whose English is this file's
// (src/renderer/i18n/en.ts) and whose Chinese is in zh.ts.
import type { WalkthroughId } from './contract';

export interface WalkthroughInfo {
  title: string;
  /** The seed's section, as it is headed there, with an English gloss. */
  seedSection: string;
  /** The claim, as the seed makes it (its facts, in English). */
  claim: string;
  /** What the lab must be for it to run. */
  needs: string;
  /** What it erases, or null when it erases nothing (it may stop and start members). */
  erases: string | null;
  /** The view where the claim is seen. */
  view: 'cluster' | 'wire' | 'tree' | 'timeline' | 'locks';
}

export const WALKTHROUGHS: Record<WalkthroughId, WalkthroughInfo> = {
  'election-from-empty': {
    title: 'Election from empty: five members started one by one',
    seedSection: '§6.1 选举机制 · 第一次启动 (election, first start)',
    claim: 'Five members start one by one from empty. 1 and 2 alone cannot elect; when 3 starts there is a majority, and 3 (highest sid, equal zxids) leads. 4 and 5 find a leader and follow.',
    needs: 'a 5-node lab',
    erases: 'every znode and the whole transaction log of this lab (each member\'s data/version-2); the members are stopped and started from zxid 0',
    view: 'cluster',
  },
  'election-after-failure': {
    title: 'Election after a failure: leader 3 and member 5 down, 4 behind',
    seedSection: '§6.2 选举机制 · 非第一次启动 (election, not the first start)',
    claim: 'Leader 3 and member 5 fail while 4 is behind (the seed\'s zxids 8, 8, 8, 7, 7). Among (epoch, zxid, sid) = (1, 8, 1), (1, 8, 2), (1, 7, 4) the newest zxid wins, then the higher sid: member 2 leads.',
    needs: 'run "Election from empty" first',
    erases: null,
    view: 'wire',
  },
  majority: {
    title: 'Majority: how many members can go before the ensemble stops',
    seedSection: '§3 特点 (2) (features: more than half alive, so an odd number of servers), §11.2 生产集群安装多少 zk 合适 (odd sizes) and §12.3 崩溃恢复 (available > total/2)',
    claim: 'An ensemble serves while more than half of its voters are up: five members survive two failures, not three. So ZooKeeper suits an odd number of servers: four members need three for a majority and survive one failure, no more than three members do.',
    needs: 'a serving lab of 2 to 7 voting members (5 for the seed\'s case; 4 to see an even size buy nothing); kills followers, then starts them again',
    erases: null,
    view: 'cluster',
  },
  'write-flow': {
    title: 'The write flow: the leader commits with a majority; a follower can lag until sync',
    seedSection: '§9 客户端向服务端写数据流程 (the write flow) and §3 特点 (6) 实时性 (timeliness)',
    claim: 'Writes go to the leader, which proposes them and commits once a majority has acknowledged. A follower answers reads from what it has applied, so it can lag behind; sync brings it up to date.',
    needs: 'a serving lab of our server',
    erases: null,
    view: 'cluster',
  },
  'session-moves': {
    title: 'A session outlives its member; its ephemeral znode lives as long as the session',
    seedSection: '§12.1 会话（Session） (sessions) and §7 节点类型 (ephemeral nodes)',
    claim: 'A session belongs to the ensemble: when its server dies the client moves to another within the session timeout and keeps it. Cut off for longer than the timeout, the session expires, its ephemeral znodes go, and the client learns it when it gets through again (SESSIONEXPIRED). An ephemeral znode lives exactly as long as its session.',
    needs: "a serving lab of 3 or 5 (kills a follower; cuts the lab's clients off it on the lab's network)",
    erases: null,
    view: 'cluster',
  },
  partition: {
    title: 'A partition: the majority side elects and serves, the minority side stops serving',
    seedSection: '§3 特点 (2) and §12.3 崩溃恢复 · leader选举 (available > total/2)',
    claim: 'Cut the network between the leader with one follower and the other three: the three (a majority of five) elect a new leader and serve; the two stop serving (with read-only mode on, they serve reads to clients that allow it and refuse their writes). Healed, they rejoin as followers and catch up.',
    needs: "a serving 5-node lab (uses the lab's network; launched with read-only mode, the minority side serves reads)",
    erases: null,
    view: 'wire',
  },
  'write-via-follower': {
    title: 'A write sent to a follower is forwarded to the leader',
    seedSection: '§9.3 写流程之写入请求发送给follower节点 (a write sent to a follower) and §12.3 消息广播',
    claim: 'A write sent to a follower is forwarded to the leader (REQUEST); the leader proposes it, commits once a majority has acknowledged, and the follower answers its client once it has the COMMIT.',
    needs: "a serving lab of 3 or 5 (uses the lab's network)",
    erases: null,
    view: 'wire',
  },
  'recovery-committed': {
    title: 'Recovery, case 1: a write a majority acknowledged survives its leader',
    seedSection: '§12.3 ZAB协议 · 崩溃恢复, case 1 (crash recovery)',
    claim: 'The leader commits a write a majority acknowledged and dies before any COMMIT reaches the followers (the lab holds them). The new leader, one of those that logged it, commits it everywhere.',
    needs: "a serving lab of 3 or 5 (holds COMMITs on the lab's network; kills the leader, then starts it again)",
    erases: null,
    view: 'wire',
  },
  'recovery-discarded': {
    title: 'Recovery, case 2: a proposal nobody else saw is discarded',
    seedSection: '§12.3 ZAB协议 · 崩溃恢复, case 2 (crash recovery)',
    claim: "The leader logs a proposal nobody else receives (the lab holds it) and dies. The new leader never saw it; when the old leader returns it rolls back or syncs with the new leader, and the write is nowhere. Which one is seen on the Wire view: ZooKeeper 3.8 (our server follows it) TRUNCs a member whose log merely runs past the leader's, but once the new leader has written in its own epoch it sends a SNAP instead, as it never truncates a member back across an epoch boundary.",
    needs: "a serving lab of 3 or 5 (holds PROPOSALs on the lab's network; kills the leader, then starts it again)",
    erases: null,
    view: 'wire',
  },
  zxid: {
    title: 'zxid = epoch << 32 | counter',
    seedSection: '§12.3 ZAB协议 · 消息广播 (the ZXID paragraph) and §12.3 数据恢复 1',
    claim: 'Every transaction has a 64-bit zxid: the low 32 bits are a counter the leader adds 1 to for each write (a multi is one transaction), the high 32 bits the epoch, which a new leader raises by one, starting its counter again at 0.',
    needs: 'a serving lab of 3 or 5 (kills the leader, then starts it again)',
    erases: null,
    view: 'cluster',
  },
  'node-types': {
    title: 'Node types: persistent, ephemeral, sequential, container, TTL',
    seedSection: '§7 节点类型 (node types) and §11.3 常用命令 (create -s -e)',
    claim: 'A persistent znode stays after its client disconnects; an ephemeral one is deleted with its session; a sequential one gets a number appended to its name (ZooKeeper: 10 digits, a counter per parent). Beyond the seed: a container is deleted once its last child goes, a TTL znode once it has been unchanged and childless for its TTL.',
    needs: 'a serving lab of 3 or 5 (either engine)',
    erases: null,
    view: 'tree',
  },
  'sync-modes': {
    title: 'A returning follower syncs: DIFF, SNAP or TRUNC',
    seedSection: '§12.3 崩溃恢复 · 数据恢复 2 (data recovery: roll back or sync with the leader)',
    claim: "When a follower connects, the leader compares the follower's last zxid with its own: a little behind, it sends the missing txns (DIFF); far behind, the whole tree (SNAP); with a txn the leader never committed, the follower rolls back (TRUNC).",
    needs: "a serving lab of 3 or 5 (stops a follower twice, holds PROPOSALs on the lab's network and kills the leader, then starts it again)",
    erases: null,
    view: 'wire',
  },
  roles: {
    title: 'One leader, many followers; observers do not vote',
    seedSection: '§3 特点 (1) (one leader, many followers) and §12.3 消息广播',
    claim: 'An ensemble is one leader and several followers. Beyond the seed: an observer serves clients and learns every write (INFORM) but is not asked to acknowledge it, so it adds no vote.',
    needs: 'a serving lab with an observer (launch with 1 or 2 observers)',
    erases: null,
    view: 'wire',
  },
  broadcast: {
    title: 'ZAB broadcast: PROPOSAL, ACKs, COMMIT once a majority acked',
    seedSection: '§12.3 ZAB协议 · 消息广播 (message broadcast)',
    claim: 'The leader turns a write into a PROPOSAL sent to every follower; once more than half (the leader included) have acknowledged it, it commits and sends COMMIT to all. A slow follower does not hold the commit back.',
    needs: "a serving lab of 3 or 5 (slows one follower's link on the lab's network)",
    erases: null,
    view: 'wire',
  },
  watches: {
    title: 'A watch fires once and must be set again',
    seedSection: '§8 监听器原理 (how watches work) and §11.3 常用命令 (get -w, ls -w)',
    claim: 'A client registers a watch on a znode with the server it is connected to; when the znode changes, the server notifies the client once. To hear of the next change the client sets the watch again. Beyond the seed: persistent and recursive watches (3.6+) stay.',
    needs: "a serving lab of 3 or 5 of our server (Apache's watch table does not say a watch's kind)",
    erases: null,
    view: 'tree',
  },
  lock: {
    title: "A distributed lock: the seed's lock, the herd, a reentrant mutex, a holder that expires",
    seedSection: '§10 分布式锁 (distributed lock): 1. Java API 实现 (the plain-API lock) and 2. Curator 框架实现 (Curator, reentrancy)',
    claim: "A lock is a parent znode: each client creates an ephemeral-sequential child; the lowest holds the lock, and every other client watches only the child just before its own, so a release wakes one client. Curator's InterProcessMutex does the same and is reentrant: a holder may acquire it again, and releases it as many times. Beyond the seed: a lock every waiter watches wakes them all (the herd effect), and a holder whose session expires loses its ephemeral znode and the lock passes on.",
    needs: 'a serving lab of 3 or more (either engine; runs the Lock playground, which must be idle)',
    erases: null,
    view: 'locks',
  },
  'config-and-membership': {
    title: 'Configuration pushed to every client; members seen to come and go',
    seedSection: '§4.2 统一配置管理 (configuration management), §4.3 统一集群管理 and §4.4 服务器动态上下线 (cluster membership), §12.2 心跳监测 (heartbeats by ephemeral znodes)',
    claim: 'Write the configuration to one znode and let every client watch it: when it changes, ZooKeeper notifies them all. Each process registers an ephemeral znode under a group znode as its heartbeat; the others watch the group, and when a process dies its znode goes and they are told.',
    needs: 'a serving lab of 3 or more (either engine)',
    erases: null,
    view: 'tree',
  },
  discovery: {
    title: 'Service registration and discovery, with soft load balancing',
    seedSection: '§4.5 软负载均衡 (soft load balancing) and §12.4 服务注册、服务发现 (service registration and discovery)',
    claim: 'Providers register their address under the service\'s znode when they start; consumers read the list, and ZooKeeper keeps each provider\'s connection count so the next client goes to the one with the fewest. When a provider goes down its address leaves the list and the consumers get the new list.',
    needs: 'a serving lab of 3 or more (either engine)',
    erases: null,
    view: 'tree',
  },
  sizing: {
    title: 'Cluster sizing: 3, 5 and 7 members side by side',
    seedSection: '§11.2 生产集群安装多少 zk 合适 (how many servers for production)',
    claim: 'Install an odd number of servers: 3 for 10 machines, 5 for 20, 11 for 100 or 200. More servers: more reliability; but more communication delay.',
    needs: "any launched lab (it launches 3, 5 and 7 members of our server beside it, one after the other, then removes them; this lab is not touched)",
    erases: null,
    view: 'cluster',
  },
};

/** Failures an ensemble of `voters` voting members survives: it needs more than half of them up. */
export function failuresTolerated(voters: number): number {
  return voters - (Math.floor(voters / 2) + 1);
}

/**
 * The launcher's word on a size (the Cluster view and zk-lab launch): odd sizes are recommended,
 * and an even one says why, as the majority walkthrough shows on its members.
 */
export function sizeAdvice(voters: number): string {
  const quorum = Math.floor(voters / 2) + 1;
  const f = failuresTolerated(voters);
  const base = voters === 1 ? 'One server runs standalone: no quorum, no failure tolerated.' : `${voters} voting members need ${quorum} up for a quorum, so they survive ${f} failure${f === 1 ? '' : 's'}.`;
  if (voters === 1 || voters % 2 === 1) return `${base}${voters >= 3 ? ' Odd sizes are recommended.' : ''}`;
  return `${base} That is no more than ${voters - 1} members survive: the extra member adds one more machine that can fail and one more vote to wait for, and no failure tolerated. Odd sizes are recommended; ${voters} is here for the majority lesson ("Majority" walkthrough).`;
}

/** The verdict's two sentences, as the UI and zk-lab show them. */
export const VERDICT = {
  seedSays: 'The seed says',
  labSaw: 'The lab saw',
  agrees: 'As the seed says',
  disagrees: 'Not as the seed says',
};
