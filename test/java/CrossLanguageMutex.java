// Cross-language judge: Curator's InterProcessMutex (unmodified, Debian's Curator 5) in THREADS
// sessions takes LOCKPATH ROUNDS times each while our TypeScript InterProcessMutex takes the
// same path from another process. Inside the lock it proves it is alone (creating the
// ephemeral HOLDER node must succeed) and does a read-modify-write of COUNTER without a version.
// Usage: CrossLanguageMutex <connect> <lockPath> <counterPath> <holderPath> <threads> <rounds>
// Prints "READY" once its sessions are up (then waits for a line on stdin to start),
// "VIOLATIONS <n>", "SEEN <v>" for each counter value it read, and "DONE".
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

public class CrossLanguageMutex {
  public static void main(String[] args) throws Exception {
    String connect = args[0];
    String lockPath = args[1];
    String counterPath = args[2];
    String holderPath = args[3];
    int threads = Integer.parseInt(args[4]);
    int rounds = Integer.parseInt(args[5]);
    List<CuratorFramework> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      CuratorFramework c = CuratorFrameworkFactory.newClient(connect, 15000, 5000, new ExponentialBackoffRetry(100, 10));
      c.start();
      c.blockUntilConnected();
      clients.add(c);
    }
    System.out.println("READY");
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in)).readLine();

    AtomicInteger violations = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(threads);
    for (CuratorFramework c : clients) {
      new Thread(() -> {
        try {
          InterProcessMutex mutex = new InterProcessMutex(c, lockPath);
          for (int i = 0; i < rounds; i++) {
            mutex.acquire();
            try {
              try {
                c.create().withMode(CreateMode.EPHEMERAL).forPath(holderPath);
              } catch (KeeperException.NodeExistsException e) {
                violations.incrementAndGet();
              }
              int v = Integer.parseInt(new String(c.getData().forPath(counterPath), StandardCharsets.UTF_8));
              seen.add(v);
              c.setData().forPath(counterPath, Integer.toString(v + 1).getBytes(StandardCharsets.UTF_8));
              c.delete().forPath(holderPath);
            } finally {
              mutex.release();
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      }).start();
    }
    done.await();
    for (CuratorFramework c : clients) c.close();
    if (failure.get() != null) {
      failure.get().printStackTrace();
      System.exit(2);
    }
    System.out.println("VIOLATIONS " + violations.get());
    synchronized (seen) {
      for (int v : seen) System.out.println("SEEN " + v);
    }
    System.out.println("DONE");
  }
}
