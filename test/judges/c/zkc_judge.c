/*
 * Judge: the Apache ZooKeeper C client (libzookeeper_mt, multi-threaded sync and async API).
 *
 *   cc -o zkc_judge zkc_judge.c -lzookeeper_mt && ./zkc_judge 127.0.0.1:2181
 *
 * Runs a fixed script against a fresh server and prints one deterministic line per step:
 * results, error names, versions, cversion, dataLength, numChildren, ACLs, watch events. Nothing
 * that differs between two correct servers is printed (no session ids, times or zxids; ephemeral
 * owners are printed as none/self/other). test/judges/c-client.test.ts runs it against Apache
 * ZooKeeper 3.8 and against our server and compares the outputs line by line.
 *
 * Synchronisation is by conditions, never by sleeping: the connection is awaited through the
 * watcher; a watch event is awaited with a deadline; "no further event" is proven by a barrier:
 * an async request on the same handle whose completion runs on the completion thread after every
 * event the server sent before its reply. Exit status: 0 when the script ran to the end, 2 when
 * something it waited for did not happen in time (the line TIMEOUT ... says what).
 */
/* The sync API is declared only for the multi-threaded library. */
#define THREADED 1
#include <zookeeper/zookeeper.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_MS 15000
#define MAX_EVENTS 64
#define BURST 200
#define PIPELINE 100

/* base64(sha1("user:pass")): the digest ACL id of user:pass, as ZooKeeper computes it. */
#define USER_PASS_DIGEST "user:smGaoVKd/cQkjm7b88GyorAUz20="

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

typedef struct {
  int type;
  char path[256];
} event_t;

typedef struct {
  const char *name;
  zhandle_t *zh;
  int state;         /* last session state the watcher saw (0 before any) */
  int64_t session;   /* our own session id, to print ephemeral owners as self/other */
  event_t events[MAX_EVENTS];
  int nevents;
} handle_t;

static handle_t H1 = {.name = "h1"}, H2 = {.name = "h2"}, H3 = {.name = "h3"};

/* ---------------------------------------------------------------- names */

static const char *err_name(int rc) {
  switch (rc) {
    case ZOK: return "ZOK";
    case ZSYSTEMERROR: return "ZSYSTEMERROR";
    case ZRUNTIMEINCONSISTENCY: return "ZRUNTIMEINCONSISTENCY";
    case ZDATAINCONSISTENCY: return "ZDATAINCONSISTENCY";
    case ZCONNECTIONLOSS: return "ZCONNECTIONLOSS";
    case ZMARSHALLINGERROR: return "ZMARSHALLINGERROR";
    case ZUNIMPLEMENTED: return "ZUNIMPLEMENTED";
    case ZOPERATIONTIMEOUT: return "ZOPERATIONTIMEOUT";
    case ZBADARGUMENTS: return "ZBADARGUMENTS";
    case ZINVALIDSTATE: return "ZINVALIDSTATE";
    case ZNEWCONFIGNOQUORUM: return "ZNEWCONFIGNOQUORUM";
    case ZRECONFIGINPROGRESS: return "ZRECONFIGINPROGRESS";
    case ZSSLCONNECTIONERROR: return "ZSSLCONNECTIONERROR";
    case ZAPIERROR: return "ZAPIERROR";
    case ZNONODE: return "ZNONODE";
    case ZNOAUTH: return "ZNOAUTH";
    case ZBADVERSION: return "ZBADVERSION";
    case ZNOCHILDRENFOREPHEMERALS: return "ZNOCHILDRENFOREPHEMERALS";
    case ZNODEEXISTS: return "ZNODEEXISTS";
    case ZNOTEMPTY: return "ZNOTEMPTY";
    case ZSESSIONEXPIRED: return "ZSESSIONEXPIRED";
    case ZINVALIDCALLBACK: return "ZINVALIDCALLBACK";
    case ZINVALIDACL: return "ZINVALIDACL";
    case ZAUTHFAILED: return "ZAUTHFAILED";
    case ZCLOSING: return "ZCLOSING";
    case ZNOTHING: return "ZNOTHING";
    case ZSESSIONMOVED: return "ZSESSIONMOVED";
    case ZNOTREADONLY: return "ZNOTREADONLY";
    case ZEPHEMERALONLOCALSESSION: return "ZEPHEMERALONLOCALSESSION";
    case ZNOWATCHER: return "ZNOWATCHER";
    case ZRECONFIGDISABLED: return "ZRECONFIGDISABLED";
    case ZSESSIONCLOSEDREQUIRESASLAUTH: return "ZSESSIONCLOSEDREQUIRESASLAUTH";
    case ZTHROTTLEDOP: return "ZTHROTTLEDOP";
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "rc(%d)", rc);
      return buf;
    }
  }
}

static const char *event_name(int type) {
  if (type == ZOO_CREATED_EVENT) return "CREATED";
  if (type == ZOO_DELETED_EVENT) return "DELETED";
  if (type == ZOO_CHANGED_EVENT) return "CHANGED";
  if (type == ZOO_CHILD_EVENT) return "CHILD";
  if (type == ZOO_SESSION_EVENT) return "SESSION";
  if (type == ZOO_NOTWATCHING_EVENT) return "NOTWATCHING";
  return "UNKNOWN";
}

static const char *state_name(int state) {
  if (state == ZOO_CONNECTED_STATE) return "CONNECTED";
  if (state == ZOO_CONNECTING_STATE) return "CONNECTING";
  if (state == ZOO_ASSOCIATING_STATE) return "ASSOCIATING";
  if (state == ZOO_EXPIRED_SESSION_STATE) return "EXPIRED_SESSION";
  if (state == ZOO_AUTH_FAILED_STATE) return "AUTH_FAILED";
  if (state == ZOO_READONLY_STATE) return "READONLY";
  if (state == ZOO_NOTCONNECTED_STATE) return "NOTCONNECTED";
  if (state == 0) return "NONE";
  return "UNKNOWN";
}

/* ---------------------------------------------------------------- output */

static void out(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static void die_timeout(const char *what) {
  out("TIMEOUT waiting for %s", what);
  fprintf(stderr, "zkc_judge: TIMEOUT waiting for %s\n", what);
  exit(2);
}

static const char *owner(const handle_t *h, const struct Stat *st) {
  if (st->ephemeralOwner == 0) return "none";
  return st->ephemeralOwner == h->session ? "self" : "other";
}

/* The fields of a Stat that two correct servers must agree on. */
static const char *stat_str(const handle_t *h, const struct Stat *st) {
  static char buf[256];
  /* zxids differ between servers; how a node's three zxids relate does not. */
  snprintf(buf, sizeof buf, "version=%d cversion=%d aversion=%d dataLength=%d numChildren=%d owner=%s mzxid%sczxid pzxid%sczxid",
           st->version, st->cversion, st->aversion, st->dataLength, st->numChildren, owner(h, st),
           st->mzxid == st->czxid ? "=" : st->mzxid > st->czxid ? ">" : "<",
           st->pzxid == st->czxid ? "=" : st->pzxid > st->czxid ? ">" : "<");
  return buf;
}

/* ---------------------------------------------------------------- waiting */

static void deadline_in(struct timespec *ts, int ms) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

/* Waits (mu held) until *flag becomes nonzero; 0 on timeout. */
static int wait_flag_locked(volatile int *flag, int ms) {
  struct timespec ts;
  deadline_in(&ts, ms);
  while (!*flag) {
    if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT) return *flag;
  }
  return 1;
}

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
  (void)zh;
  handle_t *h = ctx;
  pthread_mutex_lock(&mu);
  if (type == ZOO_SESSION_EVENT) {
    h->state = state;
  } else if (h->nevents < MAX_EVENTS) {
    h->events[h->nevents].type = type;
    snprintf(h->events[h->nevents].path, sizeof h->events[0].path, "%s", path ? path : "");
    h->nevents++;
  }
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

/* One pending async call. */
typedef struct {
  volatile int done;
  int rc;
  char str[512];
  int len;
  struct Stat stat;
} waiter_t;

static void finish(waiter_t *w, int rc) {
  pthread_mutex_lock(&mu);
  w->rc = rc;
  w->done = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static void void_cb(int rc, const void *data) { finish((waiter_t *)data, rc); }

static void stat_cb(int rc, const struct Stat *st, const void *data) {
  waiter_t *w = (waiter_t *)data;
  if (rc == ZOK && st) w->stat = *st;
  finish(w, rc);
}

static void string_cb(int rc, const char *value, const void *data) {
  waiter_t *w = (waiter_t *)data;
  snprintf(w->str, sizeof w->str, "%s", value ? value : "(null)");
  finish(w, rc);
}

static void data_cb(int rc, const char *value, int len, const struct Stat *st, const void *data) {
  waiter_t *w = (waiter_t *)data;
  w->len = len;
  if (rc == ZOK && value && len > 0) snprintf(w->str, sizeof w->str, "%.*s", len, value);
  if (rc == ZOK && st) w->stat = *st;
  finish(w, rc);
}

static void await(waiter_t *w, const char *what) {
  pthread_mutex_lock(&mu);
  int ok = wait_flag_locked(&w->done, WAIT_MS);
  pthread_mutex_unlock(&mu);
  if (!ok) die_timeout(what);
}

/*
 * After this returns, every watch event the server sent to h before answering an exists on
 * `path` has been delivered to the watcher: the completion thread runs watcher events and
 * async completions in the order their packets arrived.
 */
static void barrier(handle_t *h, const char *path) {
  waiter_t w = {0};
  int rc = zoo_aexists(h->zh, path, 0, stat_cb, &w);
  if (rc != ZOK) {
    out("barrier %s %s submit err=%s", h->name, path, err_name(rc));
    return;
  }
  await(&w, "a barrier exists to complete");
}

/* Waits until h has at least n undrained watch events. */
static void wait_events(handle_t *h, int n, const char *what) {
  struct timespec ts;
  deadline_in(&ts, WAIT_MS);
  pthread_mutex_lock(&mu);
  while (h->nevents < n) {
    if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT && h->nevents < n) {
      pthread_mutex_unlock(&mu);
      die_timeout(what);
    }
  }
  pthread_mutex_unlock(&mu);
}

/* Barrier on `path`, then print and forget every watch event h has received. */
static void drain(handle_t *h, const char *path, const char *label) {
  barrier(h, path);
  pthread_mutex_lock(&mu);
  int n = h->nevents;
  event_t ev[MAX_EVENTS];
  memcpy(ev, h->events, sizeof(event_t) * (size_t)n);
  h->nevents = 0;
  pthread_mutex_unlock(&mu);
  if (n == 0) out("%s %s: no watch event", h->name, label);
  for (int i = 0; i < n; i++) out("%s %s: watch type=%s path=%s", h->name, label, event_name(ev[i].type), ev[i].path);
}

static void connect_handle(handle_t *h, const char *hosts, int timeout_ms) {
  h->zh = zookeeper_init(hosts, watcher, timeout_ms, NULL, h, 0);
  if (!h->zh) {
    out("connect %s zookeeper_init failed errno=%d", h->name, errno);
    exit(1);
  }
  struct timespec ts;
  deadline_in(&ts, WAIT_MS);
  pthread_mutex_lock(&mu);
  while (h->state != ZOO_CONNECTED_STATE) {
    if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT && h->state != ZOO_CONNECTED_STATE) {
      pthread_mutex_unlock(&mu);
      die_timeout("ZOO_CONNECTED_STATE");
    }
  }
  pthread_mutex_unlock(&mu);
  h->session = zoo_client_id(h->zh)->client_id;
  out("connect %s state=%s requested_timeout=%d negotiated_timeout=%d", h->name, state_name(zoo_state(h->zh)),
      timeout_ms, zoo_recv_timeout(h->zh));
}

/* ---------------------------------------------------------------- sync steps */

static void do_create(handle_t *h, const char *label, const char *path, const char *data, int len,
                      const struct ACL_vector *acl, int mode) {
  char buf[512] = "";
  struct Stat st;
  memset(&st, 0, sizeof st);
  int rc = zoo_create2(h->zh, path, data, len, acl, mode, buf, sizeof buf, &st);
  if (rc == ZOK)
    out("%s create %s%s ok path=%s %s", h->name, path, label, buf, stat_str(h, &st));
  else
    out("%s create %s%s err=%s", h->name, path, label, err_name(rc));
}

static void do_get(handle_t *h, const char *path, int watch) {
  char buf[1024];
  int len = sizeof buf;
  struct Stat st;
  int rc = zoo_get(h->zh, path, watch, buf, &len, &st);
  if (rc == ZOK)
    out("%s get %s watch=%d ok data=%.*s buflen=%d %s", h->name, path, watch, len > 0 ? len : 0, buf, len,
        stat_str(h, &st));
  else
    out("%s get %s watch=%d err=%s", h->name, path, watch, err_name(rc));
}

static void do_exists(handle_t *h, const char *path, int watch) {
  struct Stat st;
  int rc = zoo_exists(h->zh, path, watch, &st);
  if (rc == ZOK)
    out("%s exists %s watch=%d ok %s", h->name, path, watch, stat_str(h, &st));
  else
    out("%s exists %s watch=%d err=%s", h->name, path, watch, err_name(rc));
}

static void do_set(handle_t *h, const char *path, const char *data, int version) {
  struct Stat st;
  int rc = zoo_set2(h->zh, path, data, data ? (int)strlen(data) : -1, version, &st);
  if (rc == ZOK)
    out("%s set %s version=%d ok %s", h->name, path, version, stat_str(h, &st));
  else
    out("%s set %s version=%d err=%s", h->name, path, version, err_name(rc));
}

static void do_delete(handle_t *h, const char *path, int version) {
  int rc = zoo_delete(h->zh, path, version);
  out("%s delete %s version=%d %s%s", h->name, path, version, rc == ZOK ? "ok" : "err=", rc == ZOK ? "" : err_name(rc));
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void do_children_raw(handle_t *h, const char *path, int watch, int raw) {
  struct String_vector sv = {0, NULL};
  struct Stat st;
  int rc = zoo_get_children2(h->zh, path, watch, &sv, &st);
  if (rc != ZOK) {
    out("%s get_children2 %s watch=%d err=%s", h->name, path, watch, err_name(rc));
    return;
  }
  /* The server's own order (ZooKeeper's is its HashSet's iteration order), then sorted. */
  char list[8192] = "";
  size_t used = 0;
  for (int i = 0; i < sv.count && used < sizeof list - 300; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? "," : "", sv.data[i]);
  if (raw) out("%s get_children2 %s server order [%s]", h->name, path, list);
  qsort(sv.data, (size_t)sv.count, sizeof(char *), cmp_str);
  list[0] = 0;
  used = 0;
  for (int i = 0; i < sv.count && used < sizeof list - 300; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? "," : "", sv.data[i]);
  out("%s get_children2 %s watch=%d ok count=%d [%s] %s", h->name, path, watch, sv.count, list, stat_str(h, &st));
  deallocate_String_vector(&sv);
}

static void do_children(handle_t *h, const char *path, int watch) { do_children_raw(h, path, watch, 0); }

static void do_get_acl(handle_t *h, const char *path) {
  struct ACL_vector acl = {0, NULL};
  struct Stat st;
  int rc = zoo_get_acl(h->zh, path, &acl, &st);
  if (rc != ZOK) {
    out("%s get_acl %s err=%s", h->name, path, err_name(rc));
    return;
  }
  char list[2048] = "";
  size_t used = 0;
  for (int i = 0; i < acl.count && used < sizeof list - 300; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s:%s:perms=%d", i ? "," : "", acl.data[i].id.scheme,
                             acl.data[i].id.id, acl.data[i].perms);
  out("%s get_acl %s ok count=%d [%s] %s", h->name, path, acl.count, list, stat_str(h, &st));
  deallocate_ACL_vector(&acl);
}

static void do_set_acl(handle_t *h, const char *label, const char *path, int version, struct ACL_vector *acl) {
  int rc = zoo_set_acl(h->zh, path, version, acl);
  out("%s set_acl %s %s version=%d %s%s", h->name, path, label, version, rc == ZOK ? "ok" : "err=",
      rc == ZOK ? "" : err_name(rc));
}

static void do_add_auth(handle_t *h, const char *scheme, const char *cert) {
  waiter_t w = {0};
  int rc = zoo_add_auth(h->zh, scheme, cert, (int)strlen(cert), void_cb, &w);
  if (rc != ZOK) {
    out("%s add_auth %s %s submit err=%s", h->name, scheme, cert, err_name(rc));
    return;
  }
  await(&w, "the add_auth completion");
  out("%s add_auth %s %s rc=%s", h->name, scheme, cert, err_name(w.rc));
}

static void print_multi(handle_t *h, const char *label, int rc, int n, const zoo_op_t *ops, zoo_op_result_t *res) {
  out("%s multi %s rc=%s", h->name, label, err_name(rc));
  for (int i = 0; i < n; i++) {
    const char *kind = ops[i].type == ZOO_CREATE_OP    ? "create"
                       : ops[i].type == ZOO_DELETE_OP  ? "delete"
                       : ops[i].type == ZOO_SETDATA_OP ? "set"
                       : ops[i].type == ZOO_CHECK_OP   ? "check"
                                                       : "?";
    if (res[i].err == ZOK && ops[i].type == ZOO_CREATE_OP)
      out("  op[%d] %s %s path=%s", i, kind, err_name(res[i].err), ops[i].create_op.buf);
    else if (res[i].err == ZOK && ops[i].type == ZOO_SETDATA_OP && res[i].stat)
      out("  op[%d] %s %s %s", i, kind, err_name(res[i].err), stat_str(h, res[i].stat));
    else
      out("  op[%d] %s %s", i, kind, err_name(res[i].err));
  }
}

/* ---------------------------------------------------------------- async bursts */

typedef struct {
  int index;    /* submission order */
  int rc;
  char path[64];
  int version;  /* for sets: the version in the returned Stat */
} slot_t;

static slot_t slots[BURST];
static int order[BURST];
static volatile int completed;
static volatile int all_done;
static int expect_total;

static void burst_create_cb(int rc, const char *value, const void *data) {
  slot_t *s = (slot_t *)data;
  pthread_mutex_lock(&mu);
  s->rc = rc;
  snprintf(s->path, sizeof s->path, "%s", value ? value : "");
  order[completed++] = s->index;
  if (completed == expect_total) all_done = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static void burst_set_cb(int rc, const struct Stat *st, const void *data) {
  slot_t *s = (slot_t *)data;
  pthread_mutex_lock(&mu);
  s->rc = rc;
  s->version = rc == ZOK && st ? st->version : -99;
  order[completed++] = s->index;
  if (completed == expect_total) all_done = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static void start_burst(int total) {
  pthread_mutex_lock(&mu);
  memset(slots, 0, sizeof slots);
  completed = 0;
  all_done = 0;
  expect_total = total;
  pthread_mutex_unlock(&mu);
}

static void await_burst(const char *what) {
  pthread_mutex_lock(&mu);
  int ok = wait_flag_locked(&all_done, WAIT_MS);
  pthread_mutex_unlock(&mu);
  if (!ok) die_timeout(what);
}

static void acreate_burst(handle_t *h) {
  start_burst(BURST);
  int submit_errors = 0;
  for (int i = 0; i < BURST; i++) {
    char value[16];
    snprintf(value, sizeof value, "v%d", i);
    slots[i].index = i;
    int rc = zoo_acreate(h->zh, "/cj/burst/n-", value, (int)strlen(value), &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL,
                         burst_create_cb, &slots[i]);
    if (rc != ZOK) submit_errors++;
  }
  if (submit_errors) {
    out("%s acreate burst submit_errors=%d", h->name, submit_errors);
    return;
  }
  await_burst("200 acreate completions");
  int in_order = 1, names = 1, errors = 0;
  for (int i = 0; i < BURST; i++) {
    char want[64];
    snprintf(want, sizeof want, "/cj/burst/n-%010d", i);
    if (order[i] != i) in_order = 0;
    if (slots[i].rc != ZOK) errors++;
    if (strcmp(slots[i].path, want) != 0) names = 0;
  }
  out("%s acreate burst n=%d completions=%d in_order=%s names_match_order=%s errors=%d first=%s last=%s", h->name, BURST,
      completed, in_order ? "yes" : "no", names ? "yes" : "no", errors, slots[0].path, slots[BURST - 1].path);
}

/* PIPELINE conditional sets, each naming the version the previous one produces. */
static void aset_pipeline(handle_t *h) {
  start_burst(PIPELINE);
  for (int i = 0; i < PIPELINE; i++) {
    char value[16];
    snprintf(value, sizeof value, "%d", i + 1);
    slots[i].index = i;
    int rc = zoo_aset(h->zh, "/cj/ctr", value, (int)strlen(value), i, burst_set_cb, &slots[i]);
    if (rc != ZOK) {
      out("%s aset pipeline submit err=%s at %d", h->name, err_name(rc), i);
      return;
    }
  }
  await_burst("100 aset completions");
  int in_order = 1, versions = 1, errors = 0;
  for (int i = 0; i < PIPELINE; i++) {
    if (order[i] != i) in_order = 0;
    if (slots[i].rc != ZOK) errors++;
    if (slots[i].version != i + 1) versions = 0;
  }
  out("%s aset pipeline n=%d completions=%d in_order=%s versions_1_to_n=%s errors=%d", h->name, PIPELINE, completed,
      in_order ? "yes" : "no", versions ? "yes" : "no", errors);
}

/* ---------------------------------------------------------------- the script */

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s host:port\n", argv[0]);
    return 64;
  }
  const char *hosts = argv[1];
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  zoo_deterministic_conn_order(1);

  /* Session timeouts outside [2, 20] ticks are clamped by the server (tickTime 2000). */
  connect_handle(&H1, hosts, 50000);
  connect_handle(&H2, hosts, 1000);

  /* -- create: plain, exists, sequential, ephemeral, null/empty data, container, TTL, bad paths */
  do_create(&H1, "", "/cj", "hello", 5, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  do_create(&H1, " again", "/cj", "x", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  do_create(&H1, " (SEQUENCE)", "/cj/seq-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL);
  do_create(&H1, " (SEQUENCE)", "/cj/seq-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL);
  do_create(&H1, " (EPHEMERAL)", "/cj/eph", "e", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL);
  do_create(&H1, " (EPHEMERAL|SEQUENCE)", "/cj/eseq-", "e", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL_SEQUENTIAL);
  do_create(&H1, " under ephemeral", "/cj/eph/child", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  do_create(&H1, " (null data)", "/cj/null", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  do_create(&H1, " (empty data)", "/cj/empty", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  do_create(&H1, " (CONTAINER)", "/cj/box", "b", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_CONTAINER);
  do_create(&H1, " (parent missing)", "/nope/child", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  {
    char buf[256] = "";
    int rc = zoo_create_ttl(H1.zh, "/cj/ttl", "t", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_WITH_TTL, 60000, buf, sizeof buf);
    out("h1 create_ttl /cj/ttl (PERSISTENT_WITH_TTL, extended types off) %s%s", rc == ZOK ? "ok path=" : "err=",
        rc == ZOK ? buf : err_name(rc));
  }
  {
    static const char *bad[] = {"cj", "/cj/", "/cj//x", "/cj/./x", "/cj/../x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      int rc = zoo_create(H1.zh, bad[i], "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0);
      out("h1 create bad path \"%s\" %s%s", bad[i], rc == ZOK ? "ok" : "err=", rc == ZOK ? "" : err_name(rc));
    }
  }
  do_create(&H1, " (empty ACL)", "/cj/noacl", "", 0, &(struct ACL_vector){0, NULL}, ZOO_PERSISTENT);
  {
    struct ACL a = {ZOO_PERM_ALL, {"world", "nobody"}};
    do_create(&H1, " (ACL world:nobody)", "/cj/badacl", "", 0, &(struct ACL_vector){1, &a}, ZOO_PERSISTENT);
    struct ACL b = {ZOO_PERM_ALL, {"digest", "nocolon"}};
    do_create(&H1, " (ACL digest:nocolon)", "/cj/badacl", "", 0, &(struct ACL_vector){1, &b}, ZOO_PERSISTENT);
    struct ACL c = {ZOO_PERM_ALL, {"nosuch", "x"}};
    do_create(&H1, " (ACL nosuch:x)", "/cj/badacl", "", 0, &(struct ACL_vector){1, &c}, ZOO_PERSISTENT);
  }
  do_create(&H1, " (auth ACL, no auth)", "/cj/authacl", "", 0, &ZOO_CREATOR_ALL_ACL, ZOO_PERSISTENT);

  /* -- reads */
  do_get(&H1, "/cj", 0);
  do_get(&H1, "/cj/null", 0);
  do_get(&H1, "/cj/empty", 0);
  do_get(&H1, "/cj/eph", 0);
  do_get(&H2, "/cj/eph", 0);
  do_get(&H1, "/nope", 0);
  do_exists(&H1, "/nope", 0);
  do_exists(&H1, "/cj/box", 0);
  do_children(&H1, "/", 0);
  do_children(&H1, "/zookeeper", 0);
  do_children(&H1, "/nope", 0);
  do_get_acl(&H1, "/cj");
  do_get_acl(&H1, "/zookeeper/config");
  do_get_acl(&H1, "/nope");
  {
    char buf[1024];
    int len = sizeof buf;
    struct Stat st;
    int rc = zoo_getconfig(H1.zh, 0, buf, &len, &st);
    if (rc == ZOK)
      out("h1 getconfig ok buflen=%d %s", len, stat_str(&H1, &st));
    else
      out("h1 getconfig err=%s", err_name(rc));
  }

  /* -- set with versions */
  do_set(&H1, "/cj", "hello", 0);
  do_set(&H1, "/cj", "hello", 0);
  do_set(&H1, "/nope", "x", -1);
  do_set(&H1, "/cj", "hello!", -1);
  do_set(&H1, "/cj/null", NULL, -1);
  do_get(&H1, "/cj/null", 0);

  /* -- one-shot watches */
  do_exists(&H1, "/cj", 1);
  do_set(&H1, "/cj", "w1", -1);
  wait_events(&H1, 1, "the CHANGED event on /cj");
  drain(&H1, "/cj", "after first set");
  do_set(&H1, "/cj", "w2", -1);
  drain(&H1, "/cj", "after second set");

  do_exists(&H1, "/cj/later", 1);
  do_create(&H1, "", "/cj/later", "l", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  wait_events(&H1, 1, "the CREATED event on /cj/later");
  drain(&H1, "/cj/later", "after create");
  do_get(&H1, "/cj/later", 1);
  do_children(&H1, "/cj", 1);
  do_delete(&H1, "/cj/later", -1);
  wait_events(&H1, 2, "the DELETED and CHILD events");
  drain(&H1, "/cj", "after delete");
  do_create(&H1, "", "/cj/later", "l", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  drain(&H1, "/cj", "after re-create");

  /* a watch from another session */
  do_get(&H2, "/cj", 1);
  do_set(&H1, "/cj", "w3", -1);
  wait_events(&H2, 1, "h2's CHANGED event on /cj");
  drain(&H2, "/cj", "after h1's set");
  drain(&H1, "/cj", "after its own set");

  do_children_raw(&H1, "/cj", 0, 1);

  /* -- multi */
  {
    char p0[128] = "";
    struct Stat st1;
    zoo_op_t ops[3];
    zoo_op_result_t res[3];
    struct Stat now;
    zoo_exists(H1.zh, "/cj", 0, &now);
    zoo_create_op_init(&ops[0], "/cj/m1", "m", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, p0, sizeof p0);
    zoo_set_op_init(&ops[1], "/cj", "multi", 5, now.version, &st1);
    zoo_check_op_init(&ops[2], "/cj", now.version + 1);
    int rc = zoo_multi(H1.zh, 3, ops, res);
    print_multi(&H1, "create+set+check", rc, 3, ops, res);
  }
  {
    char p0[128] = "";
    struct Stat st1;
    zoo_op_t ops[4];
    zoo_op_result_t res[4];
    zoo_create_op_init(&ops[0], "/cj/m2", "m", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, p0, sizeof p0);
    zoo_set_op_init(&ops[1], "/cj", "nope", 4, -1, &st1);
    zoo_check_op_init(&ops[2], "/cj", 99);
    zoo_delete_op_init(&ops[3], "/cj/m1", -1);
    int rc = zoo_multi(H1.zh, 4, ops, res);
    print_multi(&H1, "create+set+badcheck+delete", rc, 4, ops, res);
  }
  do_exists(&H1, "/cj/m2", 0);
  do_get(&H1, "/cj", 0);
  {
    char p0[128] = "";
    zoo_op_t ops[2];
    zoo_op_result_t res[2];
    zoo_create_op_init(&ops[0], "/cj/m1", "m", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, p0, sizeof p0);
    zoo_delete_op_init(&ops[1], "/cj/later", -1);
    int rc = zoo_multi(H1.zh, 2, ops, res);
    print_multi(&H1, "create-existing+delete", rc, 2, ops, res);
  }
  {
    zoo_op_t ops[2];
    zoo_op_result_t res[2];
    zoo_delete_op_init(&ops[0], "/cj/m1", 0);
    zoo_check_op_init(&ops[1], "/cj/later", 0);
    int rc = zoo_multi(H1.zh, 2, ops, res);
    print_multi(&H1, "delete+check", rc, 2, ops, res);
  }
  {
    char p0[128] = "", p1[128] = "";
    zoo_op_t ops[2];
    zoo_op_result_t res[2];
    zoo_create_op_init(&ops[0], "/cj/mseq-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL, p0, sizeof p0);
    zoo_create_op_init(&ops[1], "/cj/mseq-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL, p1, sizeof p1);
    int rc = zoo_multi(H1.zh, 2, ops, res);
    print_multi(&H1, "two sequential creates", rc, 2, ops, res);
  }
  do_children(&H1, "/cj", 0);

  /* -- ACLs and digest auth */
  do_add_auth(&H1, "digest", "user:pass");
  do_create(&H1, " (CREATOR_ALL_ACL)", "/cj/secret", "s3cret", 6, &ZOO_CREATOR_ALL_ACL, ZOO_PERSISTENT);
  do_get_acl(&H1, "/cj/secret");
  do_get(&H1, "/cj/secret", 0);
  do_get(&H2, "/cj/secret", 0);
  do_set(&H2, "/cj/secret", "x", -1);
  do_exists(&H2, "/cj/secret", 0);
  do_children(&H2, "/cj/secret", 0);
  do_get_acl(&H2, "/cj/secret");
  do_create(&H2, "", "/cj/secret/x", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  do_create(&H1, "", "/cj/secret/x", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  do_add_auth(&H2, "digest", "user:wrong");
  do_get(&H2, "/cj/secret", 0);
  {
    struct ACL acls[2] = {{ZOO_PERM_ALL, {"digest", USER_PASS_DIGEST}}, {ZOO_PERM_READ, {"world", "anyone"}}};
    struct ACL_vector v = {2, acls};
    do_set_acl(&H1, "[digest:user ALL, world:anyone READ]", "/cj/secret", 5, &v);
    do_set_acl(&H1, "[digest:user ALL, world:anyone READ]", "/cj/secret", 0, &v);
    do_set_acl(&H2, "[digest:user ALL, world:anyone READ]", "/cj/secret", -1, &v);
    do_set_acl(&H1, "[digest:user ALL, world:anyone READ]", "/nope", -1, &v);
    do_set_acl(&H1, "[]", "/cj/secret", -1, &(struct ACL_vector){0, NULL});
  }
  do_get_acl(&H1, "/cj/secret");
  do_get(&H2, "/cj/secret", 0);
  do_get_acl(&H2, "/cj/secret");
  do_set(&H2, "/cj/secret", "x", -1);
  do_delete(&H2, "/cj/secret/x", -1);
  do_delete(&H1, "/cj/secret/x", -1);

  /* an unknown auth scheme: the server fails the session */
  connect_handle(&H3, hosts, 10000);
  do_add_auth(&H3, "nosuch", "whatever");
  {
    struct timespec ts;
    deadline_in(&ts, WAIT_MS);
    pthread_mutex_lock(&mu);
    while (H3.state != ZOO_AUTH_FAILED_STATE) {
      if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT && H3.state != ZOO_AUTH_FAILED_STATE) break;
    }
    int st = H3.state;
    pthread_mutex_unlock(&mu);
    out("h3 session state after failed auth: %s", state_name(st));
  }
  {
    struct Stat st;
    out("h3 exists /cj after failed auth err=%s", err_name(zoo_exists(H3.zh, "/cj", 0, &st)));
  }
  zookeeper_close(H3.zh);

  /* -- delete with versions */
  do_delete(&H1, "/cj/seq-0000000000", 3);
  do_delete(&H1, "/cj/seq-0000000000", 0);
  do_delete(&H1, "/cj/seq-0000000000", 0);
  do_delete(&H1, "/cj", -1);
  do_delete(&H1, "/nope", -1);
  do_delete(&H1, "/", -1);
  do_delete(&H1, "/zookeeper", -1);

  /* -- async API: ordered completions, pipelined conditional sets, sync */
  do_create(&H1, "", "/cj/burst", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  acreate_burst(&H1);
  do_children_raw(&H1, "/cj/burst", 0, 1);
  do_create(&H1, "", "/cj/ctr", "0", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT);
  aset_pipeline(&H1);
  do_get(&H1, "/cj/ctr", 0);
  {
    waiter_t w = {0};
    int rc = zoo_aget(H1.zh, "/nope", 0, data_cb, &w);
    if (rc == ZOK) await(&w, "the aget completion");
    out("h1 aget /nope %s", rc == ZOK ? err_name(w.rc) : "submit failed");
  }
  {
    waiter_t w = {0};
    int rc = zoo_aget(H1.zh, "/cj", 0, data_cb, &w);
    if (rc == ZOK) await(&w, "the aget completion");
    out("h1 aget /cj rc=%s data=%s len=%d %s", err_name(w.rc), w.str, w.len, stat_str(&H1, &w.stat));
  }
  {
    waiter_t w = {0};
    int rc = zoo_async(H1.zh, "/cj", string_cb, &w);
    if (rc == ZOK) await(&w, "the zoo_async (sync) completion");
    out("h1 sync /cj rc=%s path=%s", rc == ZOK ? err_name(w.rc) : err_name(rc), w.str);
  }
  {
    waiter_t w = {0};
    int rc = zoo_async(H2.zh, "/nope", string_cb, &w);
    if (rc == ZOK) await(&w, "the zoo_async (sync) completion");
    out("h2 sync /nope rc=%s path=%s", rc == ZOK ? err_name(w.rc) : err_name(rc), w.str);
  }

  /* -- ephemerals vanish with their session */
  do_exists(&H2, "/cj/eph", 1);
  do_children(&H2, "/cj", 1);
  {
    int rc = zookeeper_close(H1.zh);
    out("h1 close rc=%s", err_name(rc));
  }
  wait_events(&H2, 2, "h2's DELETED and CHILD events for h1's ephemerals");
  drain(&H2, "/cj", "after h1 closed");
  {
    /* Bounded poll: the ephemeral must go; how many rounds it took is not printed. */
    struct timespec start, now, pause = {0, 20 * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc;
    struct Stat st;
    for (;;) {
      rc = zoo_exists(H2.zh, "/cj/eph", 0, &st);
      if (rc != ZOK) break;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec > WAIT_MS / 1000) die_timeout("h1's ephemeral /cj/eph to vanish");
      nanosleep(&pause, NULL);
    }
    out("h2 exists /cj/eph after h1 closed err=%s", err_name(rc));
  }
  do_exists(&H2, "/cj/eseq-0000000003", 0);
  do_children_raw(&H2, "/cj", 0, 1);
  out("h2 close rc=%s", err_name(zookeeper_close(H2.zh)));
  out("done");
  return 0;
}
