"""Reads and writes a ZooKeeper tree with kazoo (Debian python3-kazoo) for the storage interop
tests.

  zktree.py dump HOST:PORT            prints every znode as JSON: data, ACL, Stat
  zktree.py populate HOST:PORT        writes a varied workload, prints READY <session id hex>,
                                      then keeps its session (and ephemerals) until stdin closes
"""
import base64
import json
import sys

from kazoo.client import KazooClient
from kazoo.security import ACL, Id, make_digest_acl

AUTH = ('digest', 'bob:secret')
STAT_FIELDS = ['czxid', 'mzxid', 'ctime', 'mtime', 'version', 'cversion', 'aversion',
               'ephemeralOwner', 'dataLength', 'numChildren', 'pzxid']


def connect(hosts):
    zk = KazooClient(hosts=hosts, timeout=30)
    zk.start(timeout=30)
    zk.add_auth(*AUTH)
    return zk


def dump(zk):
    out = {}
    stack = ['/']
    while stack:
        path = stack.pop()
        data, stat = zk.get(path)
        acls, _ = zk.get_acls(path)
        out[path] = {
            'data': None if data is None else base64.b64encode(data).decode(),
            'acl': [[a.perms, a.id.scheme, a.id.id] for a in acls],
            # As strings: session ids and zxids do not survive a JSON double.
            'stat': {k: str(getattr(stat, k)) for k in STAT_FIELDS},
        }
        for child in zk.get_children(path):
            stack.append(('' if path == '/' else path) + '/' + child)
    return out


def populate(zk):
    bob = make_digest_acl('bob', 'secret', all=True)
    world_read = ACL(1, Id('world', 'anyone'))
    zk.create('/app', b'root of the app', acl=[bob, world_read])
    zk.create('/app/config', b'', acl=[ACL(1, Id('world', 'anyone')), bob])
    zk.create('/app/empty', None)
    seq = [zk.create('/app/seq-', ('item %d' % i).encode(), sequence=True) for i in range(30)]
    for p in seq[0::3]:
        zk.set(p, b'changed')
    for p in seq[1::7]:
        zk.delete(p)
    zk.create('/app/lock-', b'', ephemeral=True, sequence=True)
    zk.create('/app/eph', b'mine', ephemeral=True)
    zk.set_acls('/app/config', [ACL(31, Id('world', 'anyone'))])
    zk.create('/bin', bytes(range(256)) * 40)
    tx = zk.transaction()
    tx.create('/app/multi-a', b'a')
    tx.set_data('/app', b'set in a multi')
    tx.create('/app/multi-b', b'b')
    tx.commit()
    zk.create('/deep', b'')
    for i in range(20):
        zk.create('/deep' + ''.join('/d%d' % j for j in range(i + 1)), b'level %d' % i)
    print('READY %x' % zk.client_id[0], flush=True)
    sys.stdin.read()


def main():
    cmd, hosts = sys.argv[1], sys.argv[2]
    zk = connect(hosts)
    if cmd == 'dump':
        print(json.dumps(dump(zk), sort_keys=True))
        zk.stop()
    elif cmd == 'populate':
        populate(zk)
    else:
        raise SystemExit('unknown command %s' % cmd)


if __name__ == '__main__':
    main()
