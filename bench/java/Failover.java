// Failover probe of `npm run bench`: Apache ZooKeeper's own Java client keeps a write load on an
// ensemble; the bench kills the leader with SIGKILL and tells this program the wall-clock time
// of the kill on stdin. The answer is the time from the kill to the completion of the first
// successful write that was issued after the kill (both clocks are this machine's wall clock).
//
//   java Failover <connect> <sessions> <inflightPerSession> <payloadBytes> <timeoutMs>
// Prints "ready" once the load runs, reads one line (the kill time in epoch ms), then prints
// one JSON line: killToFirstWriteMs, issuedAfterKillMs, okBeforeKill, failedAfterKill.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class Failover {
  static final int KEYS = 16;
  static final AtomicLong ok = new AtomicLong();
  static final AtomicLong failedAfterKill = new AtomicLong();
  static volatile long killMs = Long.MAX_VALUE;
  // Successful writes as (issued, completed) pairs, for the scan once the kill time is known.
  static final List<long[]> successes = new ArrayList<>();

  public static void main(String[] a) throws Exception {
    String connect = a[0];
    int sessions = Integer.parseInt(a[1]);
    int inflight = Integer.parseInt(a[2]);
    byte[] data = new byte[Integer.parseInt(a[3])];
    long timeoutMs = Long.parseLong(a[4]);
    Arrays.fill(data, (byte) 'f');

    List<ZooKeeper> zks = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      CountDownLatch connected = new CountDownLatch(1);
      ZooKeeper zk = new ZooKeeper(connect, 30000, e -> {
        if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
      });
      if (!connected.await(30, TimeUnit.SECONDS)) throw new RuntimeException("could not connect to " + connect);
      zks.add(zk);
    }
    ZooKeeper admin = zks.get(0);
    try { admin.create("/failover", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); } catch (KeeperException.NodeExistsException e) { }
    for (int k = 0; k < KEYS; k++) {
      try { admin.create("/failover/k" + k, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); } catch (KeeperException.NodeExistsException e) { }
    }
    for (ZooKeeper zk : zks) for (int i = 0; i < inflight; i++) issue(zk, data);
    long t0 = System.currentTimeMillis();
    while (ok.get() < 200 && System.currentTimeMillis() - t0 < 30000) Thread.sleep(10);
    System.out.println("ready");
    System.out.flush();

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    String line = in.readLine();
    if (line == null) { System.exit(2); }
    long kill = Long.parseLong(line.trim());
    long okBefore = ok.get();
    killMs = kill;
    long deadline = System.currentTimeMillis() + timeoutMs;
    long[] first = null;
    while (first == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
      synchronized (successes) {
        for (long[] s : successes) if (s[0] >= kill && (first == null || s[1] < first[1])) first = s;
      }
    }
    if (first == null) {
      System.out.printf("{\"killToFirstWriteMs\":-1,\"issuedAfterKillMs\":-1,\"okBeforeKill\":%d,\"failedAfterKill\":%d}%n", okBefore, failedAfterKill.get());
    } else {
      System.out.printf("{\"killToFirstWriteMs\":%d,\"issuedAfterKillMs\":%d,\"okBeforeKill\":%d,\"failedAfterKill\":%d}%n",
          first[1] - kill, first[0] - kill, okBefore, failedAfterKill.get());
    }
    System.out.flush();
    // The sessions may point at a dead member: do not wait for close handshakes.
    Runtime.getRuntime().halt(0);
  }

  static void issue(ZooKeeper zk, byte[] data) {
    long issued = System.currentTimeMillis();
    String key = "/failover/k" + ThreadLocalRandom.current().nextInt(KEYS);
    zk.setData(key, data, -1, (AsyncCallback.StatCallback) (rc, p, ctx, st) -> {
      long done = System.currentTimeMillis();
      if (rc == 0) {
        ok.incrementAndGet();
        if (done >= killMs - 10_000 || killMs == Long.MAX_VALUE) {
          synchronized (successes) {
            // Before the kill only the most recent successes matter; keep the list short.
            if (killMs == Long.MAX_VALUE && successes.size() > 10_000) successes.clear();
            successes.add(new long[] { issued, done });
          }
        }
      } else if (issued >= killMs) {
        failedAfterKill.incrementAndGet();
      }
      // Back off a little after a failure so a disconnected client does not spin.
      if (rc != 0) {
        try { Thread.sleep(2); } catch (InterruptedException e) { }
      }
      issue(zk, data);
    }, null);
  }
}
