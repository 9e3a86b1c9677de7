// zk-lab's help: the overview (`zk-lab --help`) and one text per command (`zk-lab help <command>`).
import { CONSOLE_COMMANDS } from '../../shared/console-commands';

export const COMMANDS = ['launch', 'open-datadir', 'status', 'node', 'console', 'member', 'rolling-restart', 'fault', 'wire', 'walkthrough', 'check', 'shutdown', 'destroy', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

const GLOBAL = `Global options (anywhere on the line):
  --dir <path>   the lab's folder (default $ZK_LAB_DIR/default; ZK_LAB_DIR defaults to
                 ~/.config/zookeeper-lab/labs); its last part is the lab's name
  --json         one JSON document on stdout (wire: JSON lines); errors stay one sentence on stderr
  --help, -h     this text, or the command's`;

export const OVERVIEW = `zk-lab: ZooKeeper Lab from a shell (the same backend as the app).

Usage: zk-lab <command> [arguments] [--dir <path>] [--json]

Commands:
  launch [--nodes 1-7] [--observers 0-2] [--engine ours|apache|mixed] [--read-only] [--reconfig]
                        start the backend if needed, launch the members, wait until they serve
  open-datadir <path> [--nodes 1|3|5|7] [--read-only]
                        copy a ZooKeeper 3.5–3.9 dataDir into a new lab and start members on it
  status                the lab, its members (ports, pids, roles) and the faults in force
  node <action> <myid>  kill | stop | start | restart | pause | resume | slow | unslow
                        (node start all: every member that is down)
  console <myid> <command> [--admin]
                        a four-letter word (srvr, mntr, …) or AdminServer command
                        (zabstate, …) to one member, and its answer as it gave it
  member add [--observer] | remove <myid> | role <myid> participant|observer
         | ports <myid> [--client P] [--quorum P] [--election P]
                        change the ensemble's membership (ZooKeeper's reconfig)
  rolling-restart       restart the members one at a time, the leader last
  fault <kind> ...      partition, isolate, bridge, oneway, slow, hold, release, client-cut,
                        disk, kill, stop, pause, slow-apply, list, heal (zk-lab help fault)
  wire [--follow] [--type T,...] [--member N,...] [--zxid 0x...] [--limit N]
                        the decoded messages between members, as JSON lines
  walkthrough list | run <id> [--yes]
                        the seed's claims, run on the lab's members, each with a verdict
  check run [--clients N] [--keys K] [--seconds S] [--faults partitions|kills|pauses|mixed]
            [--model zookeeper|linearizable] [--save <file>]
                        record a register workload on the lab under faults and check it
  check history <file> [--model zookeeper|linearizable] [--time-limit S]
                        is a recorded history one ZooKeeper may give? (no lab needed)
  shutdown              stop the members and the backend; the lab's folder stays
  destroy               remove the lab (members, data, history), then stop the backend
  help <command>        help on one command

${GLOBAL}

Exit status: 0 done; 1 the lab or its backend refused or failed; 2 a bad command line, or it names
a member, fault or state that is not there (nothing was changed); 3 no backend or no lab for --dir.
zk-lab check: 0 ok, 1 violation, 2 undecided or an error.`;

const TEXTS: Record<CommandName, string> = {
  member: `Usage: zk-lab member add [--observer] [--engine ours|apache]
       zk-lab member remove <myid>
       zk-lab member role <myid> participant|observer
       zk-lab member ports <myid> [--client <port>] [--quorum <port>] [--election <port>]

Changes the ensemble's membership with ZooKeeper's reconfig (as the lab's superuser, against the
config version read just before; the whole new membership is given, each member at its own ports).
add: a new member (the next free myid; a folder with its myid and a zoo.cfg holding the current
config and itself) is started, waited for until it follows the leader, then added. remove: the
member is removed, then stopped; its folder stays until the lab is destroyed. role: a voter becomes
an observer or back. ports: the member's ports change in the config, then it is restarted on them.
Each waits until every running member reports the new config version, then prints each member's
role and config version (--json: {change, version, members}). A refused reconfig (NewConfigNoQuorum,
BadVersion, ...) prints ZooKeeper's reason and what to do, and changes nothing in the lab.
Limits: 1 to 7 voters and 0 to 2 observers. Labs of Apache ZooKeeper members need zk-lab launch
--reconfig (their members then talk to each other directly: no faults between members).`,
  'rolling-restart': `Usage: zk-lab rolling-restart

Restarts the members one at a time, the leader last, waiting for each to rejoin and serve before
the next. Refused when a member is down or the ensemble does not serve. --json: {change, version:
null, members}.`,
  launch: `Usage: zk-lab launch [--nodes 1-7] [--observers 0-2] [--engine ours|apache|mixed] [--read-only] [--reconfig]

Starts the lab's backend for --dir in the background if none runs (its output goes to
<dir>/backend.log; the app, when it runs for that lab, is that backend), launches the members,
waits until the quorum serves, and prints each member's myid, role, pid, client port through the
lab and direct, admin port and engine, and the UI's address. Defaults: --nodes 3, --observers 0,
--engine ours (mixed: odd members ours, even members Apache ZooKeeper 3.8). --read-only runs
every member in read-only mode (readonlymode.enabled): one cut off from its quorum serves clients
that accept read-only servers. Members of ours always run with reconfigEnabled (zk-lab member);
--reconfig gives Apache ZooKeeper members reconfigEnabled too, and names every member at its own
ports (3.8 makes every member take the leader's addresses at its first election), so the links
between members do not pass the lab's relays and faults between members are refused.
A lab already launched there is an error; so is a stopped one (start it with zk-lab node start all,
or zk-lab destroy it first).`,
  'open-datadir': `Usage: zk-lab open-datadir <path> [--nodes 1|3|5|7] [--read-only]

Copies the dataDir of an Apache ZooKeeper 3.5–3.9 server (<path> holds version-2, or is it) into
a new lab and starts --nodes members of ours on it (default 1), each with its own copy of the
snapshots, txn logs and epoch files. The original is only read. The copy is checked first, every
snapshot and log whole (a torn or truncated tail too), and the tree loaded: a corrupt, truncated
or foreign file is refused with one sentence, and nothing is left behind (no lab, no copy).
--read-only: one member, and the lab's own views (Tree, Load, locks) write nothing to it.
Progress (bytes copied and read, znodes loaded) goes to stderr; then the lab as zk-lab status
prints it, with what was opened (--json: {"opened": {path, files, bytes, snapshots, logs,
lastZxid, znodes, sessions, ephemerals, ignored}, ...status}).
A lab already in --dir is an error: destroy it first, or give another --dir.`,
  status: `Usage: zk-lab status

The lab (serving, leader, voters up), each member (myid, role, pid, client ports through the lab
and direct, admin port, engine, epoch, last zxid), the UI's address and the faults in force.
Exit status 3 when no backend runs for --dir.`,
  node: `Usage: zk-lab node <action> <myid>

Actions: kill (SIGKILL), stop (SIGTERM), start, restart, pause (SIGSTOP), resume (SIGCONT),
slow / unslow (our members: apply commits 2 s late / at once again).
zk-lab node start all starts every member that is down (also a lab that was shut down: the
backend is started for it).`,
  console: `Usage: zk-lab console <myid> <command> [--admin]

Sends one command to member <myid> and prints its answer as the member gave it (the
AdminServer's JSON indented), as the app's member console does: a four-letter word to the
member's own client port (no lab fault is in its way), or an AdminServer command to its
/commands/<name>. A name that is both (ruok) is the four-letter word unless --admin. crst and srst
reset the member's counters. An attached ensemble answers four-letter words only.
--json prints {myid, kind, command, sentTo, status, ok, text, ms} (status: the HTTP status of an
AdminServer command, null for a four-letter word). Exit status 1 when the member did not answer
or the AdminServer refused (ok false); 2 for a command or member the lab does not have.

Four-letter words: ${CONSOLE_COMMANDS.filter((c) => c.kind === '4lw').map((c) => c.name).join(', ')}
AdminServer commands: ${CONSOLE_COMMANDS.filter((c) => c.kind === 'admin').map((c) => c.name).join(', ')}`,
  fault: `Usage: zk-lab fault <kind> ...

  partition '1,2|3,4,5'        groups of members that hear nothing of each other (quote the |;
                               or give each group as its own argument: partition 1,2 3,4,5)
  isolate <myid>               one member against the rest
  bridge <myid>                the member hears both sides; the sides do not hear each other
  oneway <from> <to>           from's messages to to are lost; to's reach from
  slow <a> <b|all> <ms> [--jitter <ms>]
                               latency between a and b both ways, or on every link of a
  hold <TYPE> [--from <myid>] [--to <myid,...>]
                               hold messages of one type (PROPOSAL, ACK, COMMIT, NOTIFICATION, ...)
  release [<id>]               deliver what holds have held so far, in order (the holds stay)
  client-cut <myid>            clients of the lab cannot reach the member
  disk <myid> stall <ms> | disk <myid> full
                               our members: every fsync takes ms longer / writes fail (ENOSPC)
  kill | stop | pause <myid>   the process faults, healed by a restart or resume
  slow-apply <myid> [<ms>]     our members apply commits late (default 2000 ms)
  list                         the faults in force
  heal [<id>]                  end one fault, or every one

Each fault gets an id (f1, f2, ...) that list, release and heal take.`,
  wire: `Usage: zk-lab wire [--follow] [--type T,...] [--member N,...] [--zxid 0x...] [--limit N]

The lab's capture of the messages between members, decoded, one JSON object per line (oldest
first), whatever --json says. --type keeps those types (PROPOSAL, ACK, COMMIT, NOTIFICATION, ...),
--member the messages from or to those members, --zxid one write's messages; --limit caps how many
(default 2000, at most 20000). --follow then keeps printing new messages until Ctrl-C.`,
  walkthrough: `Usage: zk-lab walkthrough list
       zk-lab walkthrough run <id> [--yes]

list: every walkthrough (id, the seed's section, what it needs, whether it erases data).
run: runs one on the lab's real members, printing each step as it happens (stderr), then what
the seed says beside what the lab saw; --json prints {"id", "seedSays", "labSaw", "agrees"}.
One that erases data (election-from-empty) needs --yes: without it zk-lab says what it would
erase and exits 2 having changed nothing. --yes on one that erases nothing is accepted.
Exit status 0 when the lab agrees with the seed, 1 when it does not (or the run failed: labSaw
says what happened). Ctrl-C stops the walkthrough after its current step.`,
  check: `Usage: zk-lab check run [--workload register] [--clients 1-32] [--keys 1-16] [--seconds 2-300]
                        [--faults none|partitions|kills|pauses|mixed] [--reads %] [--writes %] [--syncs %] [--rate ops/s]
                        [--model zookeeper|linearizable] [--time-limit <s>] [--save <file>]
       zk-lab check history <file> [--model zookeeper|linearizable] [--time-limit <s>]

run: on the lab, N clients (each its own session, spread over the members through the lab's
network) read, write, compare-and-set and sync (then read) K znodes under /zk-lab/check for S
seconds (defaults 5, 2, 10; reads 50 %, writes 30 %, syncs 10 %, the rest cas; --rate paces
them to that many operations a second in all, default 0: each as fast as it goes) while the lab throws the faults at the members
(partitions: isolate one member; kills: SIGKILL and restart; pauses: SIGSTOP and SIGCONT; mixed:
each in turn; the leader first), each held a while and healed. Progress goes to stderr. The
history is then checked under both models and kept in the lab's history (the Load panel shows
it); --save writes it to a file in the history format. It prints the verdict of --model
(default zookeeper) and the other model's in one line; --json prints the verdict document below
with "run" (id, settings, the faults and elections on the history's axis, ms from its start) and
"verdicts" (both models' verdicts in a word).

history: checks a history file (one operation per line as JSON; the README's "Histories" section has the
format) against a model of a register per znode: zookeeper (default: writes and cas
linearizable, a session's operations in order, its reads never older than its previous reads or
its own acknowledged writes, nor than the writes completed before its sync started; reads may be
stale) or linearizable (every operation, reads included). A lock's key (acquire and release) is
checked as a mutex under either model. Prints the verdict, and for a violation a counterexample: the operation no order of
the history explains, what it could have seen, and the operations around it. --json prints
{model, ops, keys, verdict, counterexample?, undecided?, perKey}. The search stops after
--time-limit seconds (default 10): then the verdict is undecided, never a guess.
Exit status: 0 ok, 1 violation, 2 undecided, or the file is missing or malformed (the line is
named), or the run could not go (no quorum, bad settings: nothing was started).`,
  shutdown: `Usage: zk-lab shutdown

Stops every member and the backend; the lab's folder (data, logs, history) stays, and
zk-lab node start all starts it again.`,
  destroy: `Usage: zk-lab destroy

Stops every member, removes the lab's folder (data, logs, history), then stops the backend.`,
  help: `Usage: zk-lab help [<command>]`,
};

/** The help text of `topic` (null: the overview), with the global options. */
export function helpText(topic: CommandName | null): string {
  if (topic === null) return OVERVIEW;
  return `${TEXTS[topic]}\n\n${GLOBAL}`;
}
