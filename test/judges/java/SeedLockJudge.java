// Judge program: the seed's distributed lock on the plain ZooKeeper API (no Curator). Each of
// THREADS clients has its own session and, ROUNDS times: creates an EPHEMERAL_SEQUENTIAL node
// under /judge/seed-lock, lists the children, holds the lock if its node is the lowest, else sets
// an exists() watch on the node just before its own and waits for it to go. Holding the lock it
// does a read-modify-write of a counter with no version check. Mutual exclusion holds iff the
// counter ends at THREADS * ROUNDS. Prints "COUNTER <n>", "WAITS <n>" (predecessor watches that
// fired) and "LEFT <n>" (lock nodes left behind).
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class SeedLockJudge {
  static final String LOCKS = "/judge/seed-lock";
  static final String COUNTER = "/judge/seed-counter";

  static ZooKeeper open(String connect) throws Exception {
    CountDownLatch up = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(connect, 15000, e -> {
      if (e.getState() == Watcher.Event.KeeperState.SyncConnected) up.countDown();
    });
    if (!up.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("no session within 30 s");
    return zk;
  }

  static void ensure(ZooKeeper zk, String path, byte[] data) throws Exception {
    try {
      zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    } catch (KeeperException.NodeExistsException e) {
      // made by an earlier run or another thread
    }
  }

  /** Takes the lock: returns the path of this client's sequence node, the lowest one. */
  static String lock(ZooKeeper zk, AtomicInteger waits) throws Exception {
    String mine = zk.create(LOCKS + "/lock-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
    String name = mine.substring(LOCKS.length() + 1);
    while (true) {
      List<String> children = zk.getChildren(LOCKS, false);
      Collections.sort(children);
      int at = children.indexOf(name);
      if (at < 0) throw new IllegalStateException("own lock node " + mine + " is gone");
      if (at == 0) return mine;
      CountDownLatch gone = new CountDownLatch(1);
      // Watch only the node just before ours: one waiter wakes per release (no herd).
      if (zk.exists(LOCKS + "/" + children.get(at - 1), e -> gone.countDown()) == null) continue;
      gone.await();
      waits.incrementAndGet();
    }
  }

  public static void main(String[] args) throws Exception {
    String connect = args[0];
    int threads = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    try (ZooKeeper setup = open(connect)) {
      ensure(setup, "/judge", new byte[0]);
      ensure(setup, LOCKS, new byte[0]);
      ensure(setup, COUNTER, "0".getBytes(StandardCharsets.UTF_8));
      setup.setData(COUNTER, "0".getBytes(StandardCharsets.UTF_8), -1);
    }
    AtomicInteger waits = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = new Thread(() -> {
        try (ZooKeeper zk = open(connect)) {
          for (int i = 0; i < rounds; i++) {
            String mine = lock(zk, waits);
            try {
              int v = Integer.parseInt(new String(zk.getData(COUNTER, false, null), StandardCharsets.UTF_8));
              zk.setData(COUNTER, Integer.toString(v + 1).getBytes(StandardCharsets.UTF_8), -1);
            } finally {
              zk.delete(mine, -1);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      workers[t].start();
    }
    for (Thread w : workers) w.join();
    if (failure.get() != null) {
      failure.get().printStackTrace();
      System.exit(2);
    }
    try (ZooKeeper check = open(connect)) {
      System.out.println("COUNTER " + new String(check.getData(COUNTER, false, null), StandardCharsets.UTF_8));
      System.out.println("WAITS " + waits.get());
      System.out.println("LEFT " + check.getChildren(LOCKS, false).size());
    }
  }
}
