// Judge program: Curator's InterProcessMutex, unmodified, against a ZooKeeper server.
// THREADS clients (one CuratorFramework, one session each) take the lock ROUNDS times each and,
// holding it, do a read-modify-write of a counter znode with no version check. Mutual exclusion
// holds iff the counter ends at THREADS * ROUNDS. Prints "COUNTER <n>" and "LOCKNODE <name>".
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;

public class CuratorMutexJudge {
  public static void main(String[] args) throws Exception {
    String connect = args[0];
    int threads = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    String lockPath = "/judge/curator-lock";
    String counterPath = "/judge/counter";
    try (CuratorFramework setup = CuratorFrameworkFactory.newClient(connect, new ExponentialBackoffRetry(200, 5))) {
      setup.start();
      setup.blockUntilConnected();
      setup.create().orSetData().creatingParentsIfNeeded().forPath(counterPath, "0".getBytes(StandardCharsets.UTF_8));
    }
    AtomicReference<String> lockNode = new AtomicReference<>("");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = new Thread(() -> {
        try (CuratorFramework c = CuratorFrameworkFactory.newClient(connect, new ExponentialBackoffRetry(200, 5))) {
          c.start();
          c.blockUntilConnected();
          InterProcessMutex mutex = new InterProcessMutex(c, lockPath);
          for (int i = 0; i < rounds; i++) {
            mutex.acquire();
            try {
              // Reentrancy: a second acquire by the holder must not block.
              mutex.acquire();
              mutex.release();
              List<String> children = c.getChildren().forPath(lockPath);
              if (!children.isEmpty()) lockNode.set(children.get(0));
              int v = Integer.parseInt(new String(c.getData().forPath(counterPath), StandardCharsets.UTF_8));
              c.setData().forPath(counterPath, Integer.toString(v + 1).getBytes(StandardCharsets.UTF_8));
            } finally {
              mutex.release();
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
    try (CuratorFramework check = CuratorFrameworkFactory.newClient(connect, new ExponentialBackoffRetry(200, 5))) {
      check.start();
      check.blockUntilConnected();
      System.out.println("COUNTER " + new String(check.getData().forPath(counterPath), StandardCharsets.UTF_8));
      System.out.println("LOCKNODE " + lockNode.get());
      System.out.println("LEFT " + check.getChildren().forPath(lockPath).size());
    }
  }
}
