// The floors of this machine, below which no server can go: the latency of a 1 KiB write +
// fdatasync (every acknowledged write waits for one, shared by a batch) and the loopback TCP
// round trip (every request pays one).
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fdatasyncFloor, type SyncFloor } from './storage';

export interface RttFloor {
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Floors {
  fdatasync1KiB: SyncFloor;
  loopbackRtt: RttFloor;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/** Ping-pong of 64 bytes with an echo server in another process (so two threads, as in the bench). */
export async function loopbackRtt(samples = 5000): Promise<RttFloor> {
  const echo = spawn(process.execPath, [
    '-e',
    "const s=require('net').createServer(c=>{c.setNoDelay(true);c.on('data',d=>c.write(d))}).listen(0,'127.0.0.1',()=>console.log(s.address().port))",
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((res, rej) => {
      createInterface({ input: echo.stdout! }).once('line', (l) => res(Number(l)));
      echo.once('exit', () => rej(new Error('the echo server exited')));
    });
    const sock = connect({ host: '127.0.0.1', port });
    sock.setNoDelay(true);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const msg = Buffer.alloc(64, 1);
    const times: number[] = [];
    let got = 0;
    let resolveOne: (() => void) | null = null;
    sock.on('data', (d) => {
      got += d.length;
      if (got >= msg.length && resolveOne) {
        got -= msg.length;
        const r = resolveOne;
        resolveOne = null;
        r();
      }
    });
    for (let i = 0; i < samples + 200; i++) {
      const t0 = performance.now();
      await new Promise<void>((r) => {
        resolveOne = r;
        sock.write(msg);
      });
      if (i >= 200) times.push(performance.now() - t0);
    }
    sock.destroy();
    times.sort((a, b) => a - b);
    return { samples, p50Ms: pct(times, 50), p99Ms: pct(times, 99) };
  } finally {
    echo.kill('SIGKILL');
  }
}

/** Both floors; fdatasync measured in `dir` (the disk the servers' dataDirs are on). */
export async function measureFloors(dir: string, quick: boolean): Promise<Floors> {
  return {
    fdatasync1KiB: await fdatasyncFloor(dir, quick ? 200 : 1000, 1024),
    loopbackRtt: await loopbackRtt(quick ? 2000 : 10000),
  };
}
