// The independent load generator of `npm run bench`: Apache ZooKeeper's own Java client (async
// API), so our server and Apache ZooKeeper are measured by the same, third-party driver.
//
//   java LoadGen <connect> <workload> <sessions> <inflightPerSession> <warmupMs> <durationMs> <payloadBytes>
//   workload: get | set | create | mix (90% get, 10% set)
// Prints one JSON line: ops, seconds, opsPerSec, p50Ms, p99Ms, errors. One create op is a
// create of an ephemeral-sequential znode followed by its delete (two txns).
// Prints measure-start and measure-end on stderr around the measured window.
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

public class LoadGen {
  static volatile boolean measuring = false;
  static volatile boolean stopping = false;
  static final AtomicLong ops = new AtomicLong();
  static final AtomicLong errors = new AtomicLong();
  static final int MAX_SAMPLES = 2_000_000;
  static final long[] samples = new long[MAX_SAMPLES];
  static final AtomicLong sampleCount = new AtomicLong();

  static void record(long startNs, int rc) {
    if (!measuring) return;
    if (rc != 0) errors.incrementAndGet();
    ops.incrementAndGet();
    long i = sampleCount.getAndIncrement();
    if (i < MAX_SAMPLES) samples[(int) i] = System.nanoTime() - startNs;
  }

  public static void main(String[] a) throws Exception {
    String connect = a[0];
    String workload = a[1];
    int sessions = Integer.parseInt(a[2]);
    int inflight = Integer.parseInt(a[3]);
    long warmupMs = Long.parseLong(a[4]);
    long durationMs = Long.parseLong(a[5]);
    int payload = Integer.parseInt(a[6]);
    byte[] data = new byte[payload];
    Arrays.fill(data, (byte) 'x');

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
    try { admin.create("/bench", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); } catch (KeeperException.NodeExistsException e) { }
    int keys = 100;
    for (int k = 0; k < keys; k++) {
      try { admin.create("/bench/k" + k, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); }
      catch (KeeperException.NodeExistsException e) { admin.setData("/bench/k" + k, data, -1); }
    }
    try { admin.create("/bench/seq", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); } catch (KeeperException.NodeExistsException e) { }

    for (ZooKeeper zk : zks) for (int i = 0; i < inflight; i++) issue(zk, workload, data, keys);
    Thread.sleep(warmupMs);
    // The markers on stderr let the bench read the servers' CPU time over exactly this window.
    System.err.println("measure-start");
    System.err.flush();
    long t0 = System.nanoTime();
    measuring = true;
    Thread.sleep(durationMs);
    measuring = false;
    long t1 = System.nanoTime();
    System.err.println("measure-end");
    System.err.flush();
    stopping = true;
    for (ZooKeeper zk : zks) zk.close(2000);

    int n = (int) Math.min(sampleCount.get(), MAX_SAMPLES);
    long[] s = Arrays.copyOf(samples, n);
    Arrays.sort(s);
    double secs = (t1 - t0) / 1e9;
    double p50 = n == 0 ? -1 : s[(int) (n * 0.50)] / 1e6;
    double p99 = n == 0 ? -1 : s[Math.min(n - 1, (int) (n * 0.99))] / 1e6;
    System.out.printf("{\"ops\":%d,\"seconds\":%.3f,\"opsPerSec\":%.1f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"errors\":%d}%n",
        ops.get(), secs, ops.get() / secs, p50, p99, errors.get());
  }

  static void issue(ZooKeeper zk, String workload, byte[] data, int keys) {
    if (stopping) return;
    long start = System.nanoTime();
    String key = "/bench/k" + ThreadLocalRandom.current().nextInt(keys);
    String w = workload;
    if (w.equals("mix")) w = ThreadLocalRandom.current().nextInt(10) == 0 ? "set" : "get";
    switch (w) {
      case "get":
        zk.getData(key, false, (AsyncCallback.DataCallback) (rc, p, ctx, d, st) -> { record(start, rc); issue(zk, workload, data, keys); }, null);
        break;
      case "set":
        zk.setData(key, data, -1, (AsyncCallback.StatCallback) (rc, p, ctx, st) -> { record(start, rc); issue(zk, workload, data, keys); }, null);
        break;
      case "create":
        zk.create("/bench/seq/n-", data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL,
            (AsyncCallback.StringCallback) (rc, p, ctx, name) -> {
              if (rc != 0) { record(start, rc); issue(zk, workload, data, keys); return; }
              zk.delete(name, -1, (AsyncCallback.VoidCallback) (rc2, p2, ctx2) -> { record(start, rc2); issue(zk, workload, data, keys); }, null);
            }, null);
        break;
      default:
        throw new IllegalArgumentException("unknown workload " + workload);
    }
  }
}
