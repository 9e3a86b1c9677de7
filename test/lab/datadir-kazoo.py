# kazoo (Debian's python3-kazoo) for test/lab/open-datadir.test.ts: writes a tree into a real
# Apache ZooKeeper, and dumps every znode a client can see (data, Stat, ACL) as JSON.
#
#   python3 datadir-kazoo.py write <hosts> <znodes>   nested trees, sequential and ephemeral
#                                                     znodes, ACLs, many txns; then exits
#                                                     without closing its session, so its
#                                                     ephemerals stay in the dataDir
#   python3 datadir-kazoo.py dump <hosts>             {"/path": {...}, ...} on stdout
import base64
import json
import os
import sys

from kazoo.client import KazooClient
from kazoo.security import ACL, Id, Permissions, make_digest_acl

AUTH = ('digest', 'lab:secret')


def client(hosts, timeout=30.0):
    zk = KazooClient(hosts=hosts, timeout=timeout, auth_data=[AUTH])
    zk.start(timeout=60)
    return zk


def write(hosts, total):
    # A session of 10 minutes (the test's server allows it): its ephemerals outlive the test.
    zk = client(hosts, 600.0)
    zk.ensure_path('/app/config')
    zk.create('/app/config/db', b'{"url": "jdbc:postgresql://db:5432/app", "pool": 20}')
    zk.create('/app/config/binary', bytes(range(256)))
    zk.create('/app/config/empty', b'')
    # A znode only the digest user may read or change, and one the world may only read.
    zk.create('/app/secret', b'only for lab', acl=[make_digest_acl('lab', 'secret', all=True)])
    zk.create('/app/public', b'read me', acl=[ACL(Permissions.READ, Id('world', 'anyone'))])
    made = 6
    # Nested trees in multis (one txn each), and sequential znodes under several parents.
    group = 0
    while made < total - 200:
        base = '/tree/g%03d' % group
        zk.ensure_path(base)
        tx = zk.transaction()
        for i in range(40):
            tx.create('%s/n%02d' % (base, i), ('value %d/%d ' % (group, i) * (1 + i % 7)).encode())
        tx.commit()
        for i in range(10):
            zk.create('%s/n%02d/item-' % (base, i), b'seq', sequence=True)
        made += 51
        group += 1
    # Many small txns, so the server rolls its log and snapshots several times (snapCount is low).
    for i in range(150):
        zk.set('/app/config/db', ('{"url": "jdbc:postgresql://db:5432/app", "pool": %d}' % i).encode())
    for i in range(20):
        zk.create('/queue/job-', ('job %d' % i).encode(), makepath=True, sequence=True)
    for i in range(5):
        zk.delete('/queue/job-%010d' % i)
    # Ephemerals (plain and sequential) of this session, which is left open.
    zk.create('/live/member-a', b'host-a:9092', ephemeral=True, makepath=True)
    zk.create('/live/lock-', b'', ephemeral=True, sequence=True)
    zk.create('/live/lock-', b'', ephemeral=True, sequence=True)
    zk.sync('/')
    sys.stdout.write(json.dumps({'session': '0x%x' % zk.client_id[0]}) + '\n')
    sys.stdout.flush()
    # Gone without closing: the session and its ephemerals stay until it times out.
    os._exit(0)


STAT = ['czxid', 'mzxid', 'ctime', 'mtime', 'version', 'cversion', 'aversion', 'ephemeralOwner', 'dataLength', 'numChildren', 'pzxid']


def dump(hosts):
    zk = client(hosts)
    out = {}
    level = ['/']
    # A level at a time, its reads pipelined (one round trip per level, not three per znode).
    while level:
        reads = [(p, zk.get_async(p), zk.get_acls_async(p), None if p == '/zookeeper' else zk.get_children_async(p)) for p in level]
        level = []
        for path, got, acls, kids in reads:
            data, stat = got.get(timeout=60)
            acl, _ = acls.get(timeout=60)
            out[path] = {
                'data': None if data is None else base64.b64encode(data).decode(),
                'stat': {k: getattr(stat, k) for k in STAT},
                'acl': sorted('%s:%s:%d' % (a.id.scheme, a.id.id, a.perms) for a in acl),
            }
            # /zookeeper holds each server's own config and quota: not the data being compared.
            if kids is not None:
                level.extend(('/' if path == '/' else path + '/') + c for c in kids.get(timeout=60))
    zk.stop()
    zk.close()
    sys.stdout.write(json.dumps(out, sort_keys=True) + '\n')


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(sys.argv[2], int(sys.argv[3]))
    else:
        dump(sys.argv[2])
