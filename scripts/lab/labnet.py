"""Lab plumbing: run code inside a network namespace, read what the kernel reports.

Nothing here parses packets. Everything comes from sockets we own, /proc, ss, nstat and
/proc/net/nf_conntrack, so the truth files stay independent of any packet decoder.
"""

import ctypes
import fcntl
import json
import os
import socket
import struct
import subprocess
import threading
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(name):
    """Move the *calling thread* into network namespace `name` (setns is per thread)."""
    fd = os.open(f'/run/netns/{name}', os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f'setns({name}): {os.strerror(err)}')
    finally:
        os.close(fd)


class NsThread(threading.Thread):
    """Run fn(*args) in a thread that first enters a network namespace; keeps result or error."""

    def __init__(self, ns, fn, *args, name=None):
        super().__init__(name=name or f'{ns}:{fn.__name__}', daemon=True)
        self.ns, self.fn, self.args = ns, fn, args
        self.result, self.error = None, None

    def run(self):
        try:
            enter_netns(self.ns)
            self.result = self.fn(*self.args)
        except BaseException as e:  # noqa: BLE001 - reported by join_ok
            self.error = e

    def join_ok(self, timeout):
        self.join(timeout)
        if self.is_alive():
            raise TimeoutError(f'thread {self.name} still running after {timeout}s')
        if self.error is not None:
            raise RuntimeError(f'thread {self.name} failed: {self.error!r}') from self.error
        return self.result


def run_in(ns, fn, *args, timeout=30):
    t = NsThread(ns, fn, *args)
    t.start()
    return t.join_ok(timeout)


def sh(*cmd, ns=None, check=True, timeout=20):
    full = (['ip', 'netns', 'exec', ns] if ns else []) + list(cmd)
    p = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f'{" ".join(full)} -> {p.returncode}: {p.stderr.strip()}')
    return p.stdout


# ---------------------------------------------------------------------------------------------
# ss: socket states as the kernel reports them

SS_TO_RFC9293 = {
    'ESTAB': 'ESTABLISHED',
    'SYN-SENT': 'SYN-SENT',
    'SYN-RECV': 'SYN-RECEIVED',
    'FIN-WAIT-1': 'FIN-WAIT-1',
    'FIN-WAIT-2': 'FIN-WAIT-2',
    'TIME-WAIT': 'TIME-WAIT',
    'CLOSE': 'CLOSED',
    'CLOSE-WAIT': 'CLOSE-WAIT',
    'LAST-ACK': 'LAST-ACK',
    'LISTEN': 'LISTEN',
    'CLOSING': 'CLOSING',
}


def norm_endpoint(s):
    """ss prints IPv6 as [addr]:port and IPv4-mapped as [::ffff:a.b.c.d]:port; keep it as given."""
    return s


def ss_snapshot(ns):
    """All TCP sockets in a namespace: [{state, rfc9293, recv_q, send_q, local, peer}]."""
    out = sh('ss', '-tanH', ns=ns)
    rows = []
    for line in out.splitlines():
        f = line.split()
        if len(f) < 5:
            continue
        rows.append({
            'state': f[0],
            'rfc9293': SS_TO_RFC9293.get(f[0], f[0]),
            'recv_q': int(f[1]),
            'send_q': int(f[2]),
            'local': norm_endpoint(f[3]),
            'peer': norm_endpoint(f[4]),
        })
    return rows


def ss_state_of(snapshot, local, peer):
    """RFC 9293 state of the socket local<->peer in a snapshot; CLOSED when the kernel has none."""
    for r in snapshot:
        if r['local'] == local and r['peer'] == peer:
            return r['rfc9293']
    return 'CLOSED'


# ---------------------------------------------------------------------------------------------
# nstat: SNMP/netstat counters of one namespace

def nstat_snapshot(ns):
    out = sh('nstat', '-asz', ns=ns)
    vals = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and not line.startswith('#'):
            try:
                vals[f[0]] = int(f[1])
            except ValueError:
                pass
    return vals


def nstat_delta(before, after, names=None):
    keys = names if names is not None else sorted(set(before) | set(after))
    d = {}
    for k in keys:
        v = after.get(k, 0) - before.get(k, 0)
        if names is not None or v != 0:
            d[k] = v
    return d


# ---------------------------------------------------------------------------------------------
# conntrack, read from /proc inside the namespace (no conntrack binary needed)

def conntrack_snapshot(ns):
    out = sh('cat', '/proc/net/nf_conntrack', ns=ns, check=False)
    entries = []
    for line in out.splitlines():
        f = line.split()
        if len(f) < 4:
            continue
        e = {'l3': f[0], 'l4': f[2], 'timeout_s': None, 'state': None, 'flags': [], 'orig': {}, 'reply': {}}
        i = 4
        try:
            e['timeout_s'] = int(f[4])
            i = 5
        except (ValueError, IndexError):
            pass
        cur = 'orig'
        for tok in f[i:]:
            if '=' in tok:
                k, v = tok.split('=', 1)
                if k in e[cur] and k in ('src', 'dst', 'sport', 'dport', 'type', 'code', 'id'):
                    cur = 'reply'
                if k in ('src', 'dst', 'sport', 'dport', 'type', 'code', 'id'):
                    e[cur][k] = v
                elif k in ('packets', 'bytes'):
                    e[cur][k] = int(v)
                else:
                    e.setdefault('extra', {})[k] = v
            elif tok.startswith('['):
                e['flags'].append(tok.strip('[]'))
            elif e['state'] is None and tok.isupper():
                e['state'] = tok
        e['raw'] = line.strip()
        entries.append(e)
    return entries


def sysctl_get(ns, *names):
    return {n: sh('sysctl', '-n', n, ns=ns).strip() for n in names}


# ---------------------------------------------------------------------------------------------
# offloads: veth does checksum offload and TSO/GSO by default, which would put partial checksums
# and 64 KB super-frames into captures. We switch them off with the legacy ethtool ioctls, so
# that no ethtool binary is needed.

SIOCETHTOOL = 0x8946
ETHTOOL = {  # (get, set) command numbers from linux/ethtool.h
    'tx-checksum': (0x16, 0x17),
    'scatter-gather': (0x18, 0x19),
    'tso': (0x1E, 0x1F),
    'gso': (0x23, 0x24),
    'gro': (0x2B, 0x2C),
}


def _ethtool(sock, ifname, cmd, data=0):
    buf = ctypes.create_string_buffer(struct.pack('II', cmd, data))
    ifr = struct.pack('16sP', ifname.encode(), ctypes.addressof(buf))
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifr)
    return struct.unpack('II', buf.raw[:8])[1]


def offloads_off(ifname):
    """Turn off tx checksum, SG, TSO, GSO, GRO on an interface of the current namespace."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for feat in ('gro', 'gso', 'tso', 'scatter-gather', 'tx-checksum'):
            get, set_ = ETHTOOL[feat]
            try:
                _ethtool(s, ifname, set_, 0)
            except OSError:
                pass  # not supported on this device: fine
        return {feat: _ethtool(s, ifname, ETHTOOL[feat][0]) for feat in ETHTOOL}
    finally:
        s.close()


def now():
    return round(time.time(), 6)


def write_json(path, obj):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=2, sort_keys=False)
        f.write('\n')
    os.replace(tmp, path)
