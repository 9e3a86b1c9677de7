// The seed's claims, run on the lab: pick one, watch each step happen to the real members (the
// Cluster view and the Timeline show it too), and read what the seed says beside what happened.
import { Alert, Badge, Button, Card, Group, Loader, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { WalkthroughId, WalkthroughState } from '../shared/contract';
import type { ViewProps } from './views';

const CATALOGUE: { id: WalkthroughId; title: string; claim: string; needs: string }[] = [
  {
    id: 'election-from-empty',
    title: 'Election from empty',
    claim: 'Five members start one by one from empty. 1 and 2 alone cannot elect; when 3 starts there is a majority, and 3 (highest sid, equal zxids) leads. 4 and 5 find a leader and follow.',
    needs: 'a 5-node lab; empties its data',
  },
  {
    id: 'election-after-failure',
    title: 'Election after a failure',
    claim: 'Leader 3 and member 5 fail while 4 is behind (zxids 8, 8, 8, 7, 7). Among (epoch, zxid, sid) = (1,8,1), (1,8,2), (1,7,4) the newest zxid wins, then the higher sid: member 2 leads.',
    needs: 'run "Election from empty" first',
  },
  {
    id: 'majority',
    title: 'Majority',
    claim: 'An ensemble serves while more than half of its voters are up: five members survive two failures, not three.',
    needs: 'a serving 5-node lab',
  },
  {
    id: 'write-flow',
    title: 'The write flow and sync',
    claim: 'Writes go to the leader, which proposes them and commits once a majority has acknowledged. A follower answers reads from what it has applied, so it can lag behind; sync brings it up to date.',
    needs: 'a serving lab of our server',
  },
  {
    id: 'session-moves',
    title: 'Sessions and ephemeral znodes',
    claim: 'A session belongs to the ensemble: when its server dies the client moves to another and keeps it. An ephemeral znode lives exactly as long as its session.',
    needs: 'a serving lab of 3 or 5',
  },
  {
    id: 'partition',
    title: 'A partition',
    claim: 'Cut the network between the leader with one follower and the other three: the three (a majority of five) elect a new leader and serve; the two stop serving. Healed, they rejoin as followers and catch up.',
    needs: "a serving 5-node lab (uses the lab's network); watch the Wire view",
  },
  {
    id: 'write-via-follower',
    title: 'A write through a follower',
    claim: 'A write sent to a follower is forwarded to the leader (REQUEST); the leader proposes it, commits once a majority has acknowledged, and the follower answers its client once it has the COMMIT.',
    needs: "a serving lab of 3 or 5 (uses the lab's network); follow its zxid in the Wire view",
  },
  {
    id: 'recovery-committed',
    title: 'Recovery, case 1',
    claim: 'The leader commits a write a majority acknowledged and dies before any COMMIT reaches the followers (the lab holds them). The new leader, one of those that logged it, commits it everywhere.',
    needs: "a serving lab of 3 or 5 (holds COMMITs on the lab's network; kills the leader, then starts it again)",
  },
  {
    id: 'recovery-discarded',
    title: 'Recovery, case 2',
    claim: 'The leader logs a proposal nobody else receives (the lab holds it) and dies. The new leader never saw it; when the old leader returns it is told to TRUNC, and the write is nowhere.',
    needs: "a serving lab of 3 or 5 (holds PROPOSALs on the lab's network; kills the leader, then starts it again)",
  },
];

const COLOR = { pending: 'gray', running: 'blue', done: 'teal', failed: 'red' } as const;

export function Walkthroughs({ lab, view }: ViewProps) {
  const [state, setState] = useState<WalkthroughState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void lab.call<WalkthroughState | null>({ method: 'walkthrough.state' }).then(setState, () => undefined);
    return lab.onPush((p) => {
      if (p.kind === 'walkthrough') setState(p.state);
    });
  }, [lab]);
  const running = state?.running ?? false;
  const run = async (id: WalkthroughId): Promise<void> => {
    setError(null);
    try {
      const s = await lab.call<WalkthroughState | null>({ method: 'walkthrough.run', id });
      if (s) setState(s);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Stack>
      <Title order={3}>Seed walkthroughs</Title>
      <Text size="sm" c="dimmed">
        Each one does to this lab's real members what the tutorial describes, then compares what the seed says with what the ensemble did. Keep the Cluster view or the Timeline open beside it to watch.
      </Text>
      {!view && <Text>Launch a lab to run a walkthrough.</Text>}
      {error && (
        <Alert color="red" withCloseButton onClose={() => setError(null)} data-testid="walkthrough-error">
          {error}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {CATALOGUE.map((w) => (
          <Card key={w.id} withBorder>
            <Group justify="space-between" mb={4}>
              <Text fw={700}>{w.title}</Text>
              <Badge variant="light" color="gray">
                {w.needs}
              </Badge>
            </Group>
            <Text size="sm" mb="xs">
              {w.claim}
            </Text>
            <Button size="xs" disabled={!view || running} onClick={() => void run(w.id)} data-testid={`walkthrough-run-${w.id}`}>
              Run
            </Button>
          </Card>
        ))}
      </SimpleGrid>
      {state && (
        <Card withBorder data-testid="walkthrough" data-id={state.id} data-running={state.running} data-passed={String(state.passed)}>
          <Group justify="space-between" mb="sm">
            <Group>
              <Title order={5}>{state.title}</Title>
              {state.running && <Loader size="xs" />}
            </Group>
            {state.running && (
              <Button size="xs" variant="light" color="red" onClick={() => void lab.call({ method: 'walkthrough.stop' })} data-testid="walkthrough-stop">
                Stop after this step
              </Button>
            )}
          </Group>
          <Timeline active={state.steps.length - 1} bulletSize={18} lineWidth={2}>
            {state.steps.map((s, i) => (
              <Timeline.Item key={i} color={COLOR[s.status]} title={s.text} data-testid="walkthrough-step" data-status={s.status}>
                <Text size="xs" c="dimmed" ff="monospace">
                  {s.status === 'running' ? 'waiting for the members…' : s.observed}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
          {state.verdict && (
            <Alert mt="md" color={state.passed ? 'teal' : 'red'} title={state.passed ? 'As the seed says' : 'Not as the seed says'} data-testid="walkthrough-verdict">
              {state.verdict}
            </Alert>
          )}
          {state.error && (
            <Alert mt="md" color="red" title="The walkthrough stopped" data-testid="walkthrough-failure">
              {state.error}
            </Alert>
          )}
        </Card>
      )}
    </Stack>
  );
}
