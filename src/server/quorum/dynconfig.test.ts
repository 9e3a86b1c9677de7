// Leader.isQuorumSynced as ours does it: a new config is proposed only with a quorum of its voters
// synced with the leader (the leader itself counted when it is one of them).
import { describe, expect, it } from 'vitest';
import { Err } from '../../protocol/codes';
import { newConfigQuorum } from './dynconfig';

const line = (sid: number, type = 'participant'): string => `server.${sid}=127.0.0.1:${1000 + sid}:${2000 + sid}:${type};127.0.0.1:${3000 + sid}`;
const config = (...lines: string[]): string => `${lines.join('\n')}\nversion=100000004`;
const learner = (sid: number, synced = true, observer = false) => ({ sid, synced, observer });

describe('newConfigQuorum', () => {
  it('lets a config through when the leader and synced followers are a majority of its voters', () => {
    const text = config(line(1), line(2), line(3), line(4));
    expect(newConfigQuorum(text, 1, [learner(2), learner(3)])).toBe(text);
  });

  it('refuses one whose voters are not synced: a follower down, one not synced, an observer not yet following', () => {
    // Voters 1 and 3; 3 is not connected: one of two is no majority.
    expect(newConfigQuorum(config(line(1), line(3)), 1, [learner(2)])).toBe(Err.NEWCONFIGNOQUORUM);
    expect(newConfigQuorum(config(line(1), line(2), line(3)), 1, [learner(2, false), learner(3, false)])).toBe(Err.NEWCONFIGNOQUORUM);
    // 4 and 5 become voters while they are still connected as observers: only 1..3 count, 3 of 5.
    expect(newConfigQuorum(config(line(1), line(2), line(3), line(4), line(5)), 1, [learner(2), learner(3), learner(4, true, true), learner(5, true, true)])).not.toBe(Err.NEWCONFIGNOQUORUM);
    expect(newConfigQuorum(config(line(1), line(2), line(3), line(4), line(5)), 1, [learner(2), learner(4, true, true), learner(5, true, true)])).toBe(Err.NEWCONFIGNOQUORUM);
  });

  it('does not count a leader that leaves the voters, and passes error codes through', () => {
    expect(newConfigQuorum(config(line(1, 'observer'), line(2), line(3)), 1, [learner(2)])).toBe(Err.NEWCONFIGNOQUORUM);
    expect(newConfigQuorum(Err.BADVERSION, 1, [])).toBe(Err.BADVERSION);
  });
});
