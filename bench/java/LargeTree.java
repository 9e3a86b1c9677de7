// Loads the large tree of `npm run bench -- --large` through Apache ZooKeeper's own Java client
// (async API, pipelined creates): <parents> persistent parents under /large, each with
// <perParent> persistent children of <payloadBytes> bytes. The last znode is
// /large/p<parents-1>/n<perParent-1>.
//
//   java LargeTree <connect> <parents> <perParent> <payloadBytes> <inflight> <sessions>
// Prints one JSON line: created, seconds, createsPerSec, errors.
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class LargeTree {
  public static void main(String[] a) throws Exception {
    String connect = a[0];
    int parents = Integer.parseInt(a[1]);
    int perParent = Integer.parseInt(a[2]);
    byte[] data = new byte[Integer.parseInt(a[3])];
    int inflight = Integer.parseInt(a[4]);
    int sessions = Integer.parseInt(a[5]);
    Arrays.fill(data, (byte) 'z');

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
    long t0 = System.nanoTime();
    try { admin.create("/large", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); } catch (KeeperException.NodeExistsException e) { }
    Semaphore permits = new Semaphore(inflight);
    AtomicLong created = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AsyncCallback.StringCallback cb = (rc, path, ctx, name) -> {
      if (rc == 0) created.incrementAndGet();
      else errors.incrementAndGet();
      permits.release();
    };
    for (int p = 0; p < parents; p++) {
      permits.acquire();
      admin.create("/large/p" + p, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb, null);
    }
    permits.acquire(inflight);
    permits.release(inflight);
    long i = 0;
    for (int p = 0; p < parents; p++) {
      for (int n = 0; n < perParent; n++) {
        permits.acquire();
        zks.get((int) (i++ % sessions)).create("/large/p" + p + "/n" + n, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb, null);
      }
    }
    permits.acquire(inflight);
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("{\"created\":%d,\"seconds\":%.3f,\"createsPerSec\":%.1f,\"errors\":%d}%n", created.get(), secs, created.get() / secs, errors.get());
    System.out.flush();
    for (ZooKeeper zk : zks) zk.close(2000);
  }
}
