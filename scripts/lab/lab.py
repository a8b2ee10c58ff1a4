#!/usr/bin/env python3
"""wirelens lab driver (python stdlib only). Called by scripts/lab/run.sh.

  lab.py run <scenario> --work DIR      drive traffic, snapshot kernel state -> DIR/run.json
  lab.py finalize --work DIR --out OUT <fixture> <capture-label> ...
  lab.py readme --out OUT               regenerate OUT/README.md from the truth files
  lab.py check --out OUT                check the fixtures: no packet after the truth's snapshot
  lab.py offloads-off IFACE...          (inside a namespace) switch off csum/TSO/GSO/GRO
  lab.py prime ADDR                     (inside a namespace) resolve neighbours with one ping
  lab.py vlan-switch --vid N ACC:TRUNK...   userspace 802.1Q access/trunk tagger
  lab.py role simclose-server|simclose-client ...   one side of the simultaneous close
"""

import argparse
import errno
import json
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import http1  # noqa: E402
import http_scenarios as H  # noqa: E402
import labnet  # noqa: E402
import protocols as P  # noqa: E402
from labnet import NsThread, now, run_in, sh, ss_snapshot, ss_state_of, write_json  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NS = {
    'client': os.environ.get('LAB_NS_CLIENT', 'wl-client'),
    'client2': os.environ.get('LAB_NS_CLIENT2', 'wl-client2'),
    'router': os.environ.get('LAB_NS_ROUTER', 'wl-router'),
    'server': os.environ.get('LAB_NS_SERVER', 'wl-server'),
    'lan': os.environ.get('LAB_NS_LAN', 'wl-lan'),
    'switch': os.environ.get('LAB_NS_SWITCH', 'wl-switch'),
}
C4, S4, R4_IN, R4_OUT, C2_4 = '10.0.1.2', '10.0.2.2', '10.0.1.1', '10.0.2.1', '10.0.1.3'
C6, S6 = 'fd00:1::2', 'fd00:2::2'
A4, A6 = socket.AF_INET, socket.AF_INET6
TRUTH_SCHEMA = 'wirelens.lab.truth/1'

SUMMARY = {
    'http-keepalive': 'ARP, 3 pings, a DNS A query/answer, an HTTP/1.1 keep-alive connection (200 Content-Length, '
                      '404, 200 chunked, POST 201; client closes) and a Connection: close one (server closes)',
    'ipv6-http': 'Neighbour discovery, ICMPv6 echo, DNS AAAA, HTTP/1.1 keep-alive over IPv6 ULA',
    'close-client-first': 'Client closes first: client TIME-WAIT, server CLOSED',
    'close-server-first': 'Server closes first: server TIME-WAIT, client CLOSED',
    'close-simultaneous': 'Simultaneous close, FINs cross: both ends CLOSING then TIME-WAIT',
    'refused': 'SYN to a closed port answered by RST (ECONNREFUSED); UDP to a closed port: ICMP port unreachable',
    'abortive-close': 'SO_LINGER 0 close: RST instead of FIN after a data exchange',
    'half-close': 'Client shutdown(SHUT_WR); server keeps sending 3000 bytes, then closes',
    'timewait-reuse': 'New SYNs on 4-tuples in TIME-WAIT: at the client (immediate takeover) and at the server',
    'backlog-overflow': 'listen(1), never accept(), 20 clients: SYN retransmissions without SYN-ACK, an ACK dropped '
                        'by a full accept queue and SYN-ACK retransmissions',
    'backlog-abort': 'As backlog-overflow with tcp_abort_on_overflow=1: RST to the ACK that overflows',
    'syncookies': 'tcp_syncookies=2: three connections made with SYN cookies',
    'loss-retransmit': '300 KB HTTP response with 6 segments dropped on the router (a burst of 3, 2 single, the '
                       'tail): duplicate ACKs with SACK, fast retransmits, a tail loss probe',
    'nat-inside': 'Masquerading router, inside: two clients with colliding source ports/ICMP ids, TCP, UDP, ICMP',
    'nat-outside': 'Masquerading router, outside: the same flows after translation (ports/ids rewritten)',
    'sll2-any': 'tcpdump -i any on the router (LINUX_SLL2): each forwarded packet seen on lan0 and wan0',
    'nanosecond': 'Short HTTP exchange in a nanosecond-precision pcap',
    'pcapng-multi': 'pcapng with two interfaces of different link types (Ethernet + Linux cooked v2)',
    'vlan': '802.1Q-tagged (VLAN 10) ARP, ICMP and HTTP on a trunk link',
    'http-pipelined': 'HTTP/1.1 pipelining: 5 requests (GET, GET, HEAD, GET chunked, GET 404) in one write, '
                      'answered in order on one connection',
    'http-chunked': 'Chunked responses with chunk extensions, a trailer and a size line split across segments; '
                    'a chunked POST body sent chunk by chunk',
    'http-large-loss': '200 KiB HTTP response over 140+ segments with 4 segments dropped on the router: '
                       'retransmissions arrive after later segments; then a small request on the same connection',
    'http-misc': 'One keep-alive connection: HEAD, 204, 304 (If-None-Match), POST with Expect: 100-continue, '
                 'gzip Content-Encoding, 404, and last an HTTP/1.0 response framed by the close',
    'http-upgrade': 'Upgrade: websocket answered 101 with WebSocket frames after it; CONNECT through a proxy '
                    'answered 200 with opaque tunnel bytes',
    'http-hostile': 'ANSI escapes (CSI, OSC), backspaces, U+202E and invalid UTF-8 in an HTTP request line, '
                    'headers and a DNS query name (the raw bytes are in the truth)',
}

SYSCTLS = [
    'net.ipv4.tcp_timestamps', 'net.ipv4.tcp_sack', 'net.ipv4.tcp_window_scaling', 'net.ipv4.tcp_ecn',
    'net.ipv4.tcp_syncookies', 'net.ipv4.tcp_abort_on_overflow', 'net.ipv4.tcp_syn_retries',
    'net.ipv4.tcp_synack_retries', 'net.ipv4.tcp_tw_reuse', 'net.ipv4.tcp_tw_reuse_delay',
    'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_max_syn_backlog', 'net.core.somaxconn',
    'net.ipv4.tcp_congestion_control', 'net.ipv4.tcp_early_retrans', 'net.ipv4.tcp_recovery',
    'net.ipv4.ip_forward',
]

ZEEK = {
    'SF': 'SYN, SYN-ACK, ACK seen and both sides sent a FIN: normal establishment and termination',
    'S0': 'only SYN(s) from the originator, no reply seen',
    'S1': 'handshake completed, no FIN or RST seen before the capture ended',
    'REJ': 'SYN answered by RST from the responder: connection attempt rejected',
    'RSTO': 'established, then the originator aborted with a RST',
    'RSTR': 'established, then the responder sent a RST',
    'S2': 'established, originator sent FIN, no FIN from the responder seen',
    'S3': 'established, responder sent FIN, no FIN from the originator seen',
}


def ep(ip, port):
    return f'[{ip}]:{port}' if ':' in ip else f'{ip}:{port}'


def tcp_conn(cid, client, server, first_close, final_client, final_server, c2s, s2c, zeek, why=None, **extra):
    """One TCP connection in the truth schema. client/server are (ip, port)."""
    rec = {
        'id': cid,
        'client': ep(*client),
        'server': ep(*server),
        'initiator': 'client',
        'first_close': first_close,
        'final_state': {'client': final_client, 'server': final_server},
        'bytes': {'client_to_server': c2s, 'server_to_client': s2c},
        'zeek_conn_state': zeek,
        'zeek_reason': why or ZEEK[zeek],
    }
    rec.update(extra)
    return rec


class Service:
    """A server object created and run inside a namespace thread."""

    def __init__(self, ns, factory):
        self.ready = threading.Event()
        self.obj = None

        def body():
            self.obj = factory()
            self.ready.set()
            self.obj.serve_forever()

        self.thread = NsThread(ns, body)
        self.thread.start()
        if not self.ready.wait(5):
            raise RuntimeError(f'service in {ns} did not start: {self.thread.error!r}')

    def stop(self):
        self.obj.stop()
        self.thread.join_ok(10)


def http_service(family=A4, addr=S4, port=80, backlog=16):
    return Service(NS['server'], lambda: P.HttpServer(family, addr, port, backlog))


def dns_service(family=A4, addr=S4):
    recs = {(P.DNS_NAME, 1): socket.inet_aton(S4), (P.DNS_NAME, 28): socket.inet_pton(A6, S6)}
    return Service(NS['server'], lambda: P.DnsServer(family, addr, recs))


def http_conn_record(cid, cli_rec, srv_rec, first_close, final_client, final_server, zeek, why=None):
    """Merge what the client and the server each know about one HTTP connection."""
    reqs = []
    for i, cr in enumerate(cli_rec['requests']):
        sr = srv_rec['requests'][i] if srv_rec and i < len(srv_rec['requests']) else {}
        reqs.append({
            'method': cr['method'],
            'uri': cr['uri'],
            'request_body_bytes': cr['request_body_bytes'],
            'status': cr['status'],
            'response_body_bytes': cr['response_body_bytes'],
            'transfer': cr['transfer'],
            'request_bytes': cr['request_bytes'],
            'response_bytes': sr.get('response_bytes'),
            'sent_at': cr['sent_at'],
            'completed_at': cr['completed_at'],
        })
    if srv_rec:
        assert srv_rec['bytes_in'] == cli_rec['bytes_out'], (srv_rec, cli_rec)
        assert srv_rec['bytes_out'] == cli_rec['bytes_in'], (srv_rec, cli_rec)
    return tcp_conn(
        cid, cli_rec['local'], cli_rec['peer'], first_close, final_client, final_server,
        cli_rec['bytes_out'], cli_rec['bytes_in'], zeek, why,
        http=reqs,
        timing={k: cli_rec.get(k) for k in ('connect_start', 'established_at', 'close_at', 'peer_fin_at', 'closed_at')
                if cli_rec.get(k) is not None},
        server_saw_peer=ep(*srv_rec['peer']) if srv_rec else None,
    )


def find_srv(server, local_port, client_ip=None):
    for r in server.obj.conns:
        if r['peer'][1] == local_port and (client_ip is None or r['peer'][0] == client_ip):
            return r
    return None


class Run:
    """Collects what a scenario did and what the kernel said, writes run.json."""

    def __init__(self, scenario, work, roles=('client', 'router', 'server')):
        self.scenario, self.work, self.roles = scenario, work, list(roles)
        self.data = {'scenario': scenario, 'started_at': now(), 'tcp': [], 'udp': [], 'icmp': [], 'notes': [],
                     'story': []}
        self.nstat_before = {r: labnet.nstat_snapshot(NS[r]) for r in self.roles}
        self.t0 = time.time()

    def step(self, text):
        self.data['story'].append(text)

    def note(self, text):
        self.data['notes'].append(text)

    def kernel_end(self, tcp_roles=('client', 'server'), extra=None):
        """Snapshot ss and nstat in every role, then stop the capture(s) at once: the truth describes
        the end of the capture, so nothing that happens after the snapshot (closing sockets, stopping
        servers, the process exiting) may be in it. Fill kernel_state of each TCP connection."""
        time.sleep(0.25)
        ss_at = now()
        ss = {r: ss_snapshot(NS[r]) for r in self.roles if r != 'router'}
        self.data['kernel'] = {
            'ss_end_at': ss_at,
            'ss_end': ss,
            'nstat_delta': {r: labnet.nstat_delta(self.nstat_before[r], labnet.nstat_snapshot(NS[r]))
                            for r in self.roles},
        }
        self.data['capture_stop'] = stop_captures(self.work)
        # the same sockets once the capture has stopped: a state change in between would mean the
        # capture's end and the snapshot disagree
        ss_after = {r: ss_snapshot(NS[r]) for r in self.roles if r != 'router'}
        if extra:
            self.data['kernel'].update(extra)
        cr, sr = tcp_roles
        for c in self.data['tcp']:
            cli, srv = c.get('client_seen_as', c['client']), c['server']
            c['kernel_state'] = {
                'client': ss_state_of(ss.get(c.get('client_role', cr), []), c['client'], c['server']),
                'server': ss_state_of(ss.get(sr, []), srv, cli),
            }
            if c['kernel_state'] != c['final_state']:
                self.note(f'{c["id"]}: kernel reported {c["kernel_state"]} at capture end, expected {c["final_state"]}')
        for r in ss:
            before = {(x['local'], x['peer']): x['state'] for x in ss[r]}
            after = {(x['local'], x['peer']): x['state'] for x in ss_after[r]}
            for k in sorted(set(before) | set(after)):
                if before.get(k) != after.get(k):
                    self.note(f'{r} socket {k[0]} <-> {k[1]}: {before.get(k, "none")} at the snapshot, '
                              f'{after.get(k, "none")} once the capture had stopped')
        return ss

    def save(self):
        self.data['ended_at'] = now()
        if 'capture_stop' not in self.data:
            raise RuntimeError('scenario ended without kernel_end(): the capture was never stopped')
        self.data['sysctls'] = {r: labnet.sysctl_get(NS[r], *SYSCTLS) for r in self.roles}
        self.data['topology'] = topology(self.roles)
        write_json(os.path.join(self.work, 'run.json'), self.data)


def stop_captures(work, timeout=15.0):
    """SIGINT every tcpdump run.sh started for this scenario (pids in WORK/cap-*.pid) and wait until
    each has printed its final counters and exited. Called right after the kernel snapshot, while
    this process still holds every socket of the scenario. -> {label: stopped_at}"""
    import glob
    import signal

    out = {}
    pending = {}
    for pf in sorted(glob.glob(os.path.join(work, 'cap-*.pid'))):
        label = os.path.basename(pf)[4:-4]
        pid = int(open(pf).read().strip())
        try:
            comm = open(f'/proc/{pid}/comm').read().strip()
        except OSError:
            continue  # already gone
        if comm != 'tcpdump':
            raise RuntimeError(f'capture {label}: pid {pid} is {comm!r}, not tcpdump')
        os.kill(pid, signal.SIGINT)
        pending[label] = pid
    deadline = time.time() + timeout
    while pending and time.time() < deadline:
        for label, pid in list(pending.items()):
            err = open(os.path.join(work, f'cap-{label}.err')).read()
            try:
                state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]
            except OSError:
                state = 'gone'
            if 'packets captured' in err and state in ('Z', 'X', 'gone'):
                out[label] = now()
                del pending[label]
        time.sleep(0.02)
    if pending:
        raise RuntimeError(f'tcpdump did not stop within {timeout}s: {pending}')
    return out


def topology(roles):
    topo = {}
    for r in roles:
        addrs = json.loads(sh('ip', '-j', 'addr', 'show', ns=NS[r]))
        ifs = {}
        for a in addrs:
            if a['ifname'] == 'lo':
                continue
            ifs[a['ifname']] = {
                'ifindex': a.get('ifindex'),
                'mac': a.get('address'),
                'mtu': a.get('mtu'),
                'addresses': [f'{x["local"]}/{x["prefixlen"]}' for x in a.get('addr_info', [])],
            }
        topo[r] = {'netns': NS[r], 'interfaces': ifs}
    return topo


def neighbours(role):
    out = json.loads(sh('ip', '-j', 'neigh', 'show', ns=NS[role]) or '[]')
    return [{'ip': n['dst'], 'mac': n.get('lladdr'), 'dev': n['dev'], 'state': ','.join(n.get('state', []))}
            for n in out]


# =============================================================================================
# scenarios


def sc_http_keepalive(run, args):
    dns = dns_service()
    web = http_service()
    run.step('neighbour caches flushed on client, router and server before the capture started')

    def client():
        out = {}
        out['ping'] = P.ping(A4, S4, count=3)
        time.sleep(0.1)
        out['dns'] = P.dns_ask(A4, S4, 40053)
        time.sleep(0.1)
        c1 = P.HttpClient(A4, S4, 80, local_port=40001)
        c1.request('GET', '/index.html')
        time.sleep(0.02)
        c1.request('GET', '/missing')
        time.sleep(0.02)
        c1.request('GET', '/chunked')
        time.sleep(0.02)
        c1.request('POST', '/submit', body=P.post_body())
        time.sleep(0.05)
        c1.close_first()
        out['c1'] = c1.rec
        time.sleep(0.1)
        c2 = P.HttpClient(A4, S4, 80, local_port=40002)
        c2.request('GET', '/index.html', close=True)
        c2.wait_server_close()
        out['c2'] = c2.rec
        return out

    out = run_in(NS['client'], client)
    p = out['ping']
    run.step('ARP: client asks who-has 10.0.1.1 (router) for the first packet; router answers')
    run.step(f'ICMP echo: {p["count"]} requests 10.0.1.2 -> 10.0.2.2 id 0x{p["id"]:04x}, {p["received"]} replies')
    run.step('DNS: A query for www.lab.example from 10.0.1.2:40053 to 10.0.2.2:53, answer 10.0.2.2')
    run.step('TCP 1 from port 40001: GET /index.html 200 (Content-Length), GET /missing 404, GET /chunked 200 '
             '(chunked), POST /submit 201 (with body); then the client closes first')
    run.step('TCP 2 from port 40002: GET /index.html with Connection: close; the server closes first')
    run.data['icmp'].append({
        'id': 'ping-1', 'type': 'echo', 'src': C4, 'dst': S4, 'icmp_id': p['id'],
        'requests': p['count'], 'replies': p['received'], 'payload_bytes': p['payload_bytes'],
        'echoes': p['echoes'], 'zeek_conn_state': 'OTH', 'zeek_reason': 'Zeek gives ICMP flows OTH',
    })
    d = out['dns']
    run.data['udp'].append({
        'id': 'dns-1', 'client': ep(*d['local']), 'server': ep(*d['server']), 'initiator': 'client',
        'bytes': {'client_to_server': d['query_bytes'], 'server_to_client': d['response_bytes']},
        'dns': {'id': d['id'], 'qname': d['qname'], 'qtype': d['qtype'], 'rcode': d['rcode'],
                'answers': d['answers'], 'answer': S4, 'ttl': 300},
        'timing': {'sent_at': d['sent_at'], 'answered_at': d['answered_at']},
        'zeek_conn_state': 'SF', 'zeek_reason': 'UDP with packets in both directions',
    })
    run.data['tcp'].append(http_conn_record(
        'http-1', out['c1'], find_srv(web, 40001), 'client', 'TIME-WAIT', 'CLOSED', 'SF',
        'four requests on one keep-alive connection, client FIN first, server FIN, both ACKed'))
    run.data['tcp'].append(http_conn_record(
        'http-2', out['c2'], find_srv(web, 40002), 'server', 'CLOSED', 'TIME-WAIT', 'SF',
        'Connection: close, server FIN first after the response, client FIN, both ACKed'))
    run.kernel_end()
    run.data['neighbours_end'] = {'client': neighbours('client')}
    run.data['arp'] = [{'who_has': R4_IN, 'tell': C4, 'answer_mac': '02:00:0a:00:01:01',
                        'why': 'client neighbour cache flushed; first packet to the default gateway'}]
    web.stop()
    dns.stop()


def sc_ipv6_http(run, args):
    web = http_service(A6, S6)
    dns = dns_service(A6, S6)

    def client():
        out = {'ping': P.ping(A6, S6, count=2)}
        time.sleep(0.1)
        out['dns'] = P.dns_ask(A6, S6, 40053, qtype=28)
        time.sleep(0.1)
        c = P.HttpClient(A6, S6, 80, local_port=40001)
        c.request('GET', '/index.html')
        time.sleep(0.02)
        c.request('GET', '/missing')
        time.sleep(0.02)
        c.request('GET', '/chunked')
        time.sleep(0.02)
        c.request('POST', '/submit', body=P.post_body())
        time.sleep(0.05)
        c.close_first()
        out['c1'] = c.rec
        return out

    out = run_in(NS['client'], client)
    run.step('ND: client multicasts a neighbour solicitation for fd00:1::1 (router) to ff02::1:ff00:1; '
             'router answers with a neighbour advertisement')
    run.step('ICMPv6 echo x2 fd00:1::2 -> fd00:2::2; DNS AAAA query for www.lab.example; '
             'HTTP keep-alive connection with 4 requests, client closes first')
    p = out['ping']
    run.data['icmp'].append({
        'id': 'ping6-1', 'type': 'echo', 'src': C6, 'dst': S6, 'icmp_id': p['id'], 'requests': p['count'],
        'replies': p['received'], 'payload_bytes': p['payload_bytes'], 'echoes': p['echoes'],
        'zeek_conn_state': 'OTH', 'zeek_reason': 'Zeek gives ICMP flows OTH',
    })
    d = out['dns']
    run.data['udp'].append({
        'id': 'dns-1', 'client': ep(*d['local']), 'server': ep(*d['server']), 'initiator': 'client',
        'bytes': {'client_to_server': d['query_bytes'], 'server_to_client': d['response_bytes']},
        'dns': {'id': d['id'], 'qname': d['qname'], 'qtype': d['qtype'], 'rcode': d['rcode'],
                'answers': d['answers'], 'answer': S6, 'ttl': 300},
        'zeek_conn_state': 'SF', 'zeek_reason': 'UDP with packets in both directions',
    })
    run.data['tcp'].append(http_conn_record(
        'http-1', out['c1'], find_srv(web, 40001), 'client', 'TIME-WAIT', 'CLOSED', 'SF'))
    run.kernel_end()
    run.data['neighbours_end'] = {'client': neighbours('client')}
    run.data['nd'] = [{'who_has': 'fd00:1::1', 'from': C6, 'solicited_node_group': 'ff02::1:ff00:1',
                       'answer_mac': '02:00:0a:00:01:01'}]
    web.stop()
    dns.stop()


# ---- plain TCP close scenarios (port 9000, fixed payloads) ----------------------------------

REQ = b'hello from the client, ' + b'x' * 77  # 100 bytes
RESP = b'hello from the server, ' + b'y' * 177  # 200 bytes


def recv_exact(s, n):
    b = b''
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise ConnectionError(f'EOF after {len(b)} of {n} bytes')
        b += d
    return b


def recv_all(s):
    n = 0
    while True:
        d = s.recv(65536)
        if not d:
            return n
        n += len(d)


class Listener:
    """Listening socket in the server namespace that hands accepted sockets to a handler."""

    def __init__(self, handler, port=9000, backlog=8, family=A4, addr=S4, accept=True):
        self.handler, self.port, self.accept_conns = handler, port, accept
        self.family, self.addr, self.backlog = family, addr, backlog
        self.results = []
        self.stopping = False

    def serve_forever(self):
        self.sock = socket.socket(self.family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((self.addr, self.port))
        self.sock.listen(self.backlog)
        self.sock.settimeout(0.1)
        self.listening.set()
        while not self.stopping:
            if not self.accept_conns:
                time.sleep(0.05)
                continue
            try:
                c, peer = self.sock.accept()
            except TimeoutError:
                continue
            rec = {'peer': peer[:2], 'local': c.getsockname()[:2], 'accepted_at': now()}
            try:
                self.handler(c, rec)
            except OSError as e:
                rec['error'] = f'{type(e).__name__}: {e}'
            self.results.append(rec)

    def stop(self):
        self.stopping = True
        time.sleep(0.2)
        self.sock.close()


def listener_service(handler, **kw):
    lst = Listener(handler, **kw)
    lst.listening = threading.Event()

    class Wrap:
        def serve_forever(self):
            lst.serve_forever()

        def stop(self):
            lst.stop()

    svc = Service(NS['server'], Wrap)
    lst.listening.wait(5)
    return svc, lst


def tcp_client(port, local_port, fn):
    def body():
        s = socket.socket(A4, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('0.0.0.0', local_port))
        s.settimeout(10)
        rec = {'connect_start': now()}
        try:
            s.connect((S4, port))
        except OSError as e:
            rec['connect_error'] = errno.errorcode.get(e.errno, str(e.errno))
            rec['failed_at'] = now()
            rec['local'] = (C4, local_port)
            s.close()
            return rec
        rec['established_at'] = now()
        rec['local'] = s.getsockname()[:2]
        fn(s, rec)
        return rec

    return run_in(NS['client'], body)


def sc_close_client_first(run, args):
    def server(c, rec):
        recv_exact(c, len(REQ))
        c.sendall(RESP)
        rec['bytes_in'] = len(REQ) + recv_all(c)  # EOF: the client closed first
        rec['eof_at'] = now()
        c.close()

    def client(s, rec):
        s.sendall(REQ)
        recv_exact(s, len(RESP))
        time.sleep(0.05)
        rec['close_at'] = now()
        s.close()

    svc, lst = listener_service(server)
    cr = tcp_client(9000, 40010, client)
    time.sleep(0.2)
    run.step('client 10.0.1.2:40010 connects to 10.0.2.2:9000, sends 100 bytes, server answers 200 bytes')
    run.step('client close(): FIN from the client first; server reads EOF and close()s: FIN, ACK')
    run.data['tcp'].append(tcp_conn('c1', cr['local'], (S4, 9000), 'client', 'TIME-WAIT', 'CLOSED', 100, 200, 'SF',
                                    timing={k: cr[k] for k in ('connect_start', 'established_at', 'close_at')}))
    run.kernel_end()
    svc.stop()


def sc_close_server_first(run, args):
    def server(c, rec):
        recv_exact(c, len(REQ))
        c.sendall(RESP)
        time.sleep(0.05)
        rec['close_at'] = now()
        c.close()

    def client(s, rec):
        s.sendall(REQ)
        recv_exact(s, len(RESP))
        recv_all(s)
        rec['peer_fin_at'] = now()
        s.close()

    svc, lst = listener_service(server)
    cr = tcp_client(9000, 40011, client)
    time.sleep(0.2)
    run.step('client 10.0.1.2:40011 connects to 10.0.2.2:9000, sends 100 bytes, server answers 200 bytes')
    run.step('server close() 50 ms later: FIN from the server first; client reads EOF and close()s')
    run.data['tcp'].append(tcp_conn('c1', cr['local'], (S4, 9000), 'server', 'CLOSED', 'TIME-WAIT', 100, 200, 'SF'))
    run.kernel_end()
    svc.stop()


def sc_refused(run, args):
    cr = tcp_client(9, 40012, lambda s, r: None)
    if cr.get('connect_error') != 'ECONNREFUSED':
        raise RuntimeError(f'expected ECONNREFUSED, got {cr}')
    time.sleep(0.1)

    def udp():
        s = socket.socket(A4, socket.SOCK_DGRAM)
        s.bind(('0.0.0.0', 40013))
        s.connect((S4, 9))
        s.send(b'is anybody there?')
        s.settimeout(2)
        try:
            s.recv(100)
            return 'answered'
        except ConnectionRefusedError:
            return 'ECONNREFUSED'
        finally:
            s.close()

    ures = run_in(NS['client'], udp)
    run.step('TCP connect from 10.0.1.2:40012 to 10.0.2.2:9 (no listener): SYN answered by RST+ACK, '
             'connect() fails with ECONNREFUSED')
    run.step(f'UDP datagram from 10.0.1.2:40013 to 10.0.2.2:9: ICMP port unreachable, recv() -> {ures}')
    run.data['tcp'].append(tcp_conn('c1', cr['local'], (S4, 9), 'refused', 'CLOSED', 'CLOSED', 0, 0, 'REJ',
                                    connect_error=cr['connect_error']))
    run.data['udp'].append({
        'id': 'u1', 'client': ep(C4, 40013), 'server': ep(S4, 9), 'initiator': 'client',
        'bytes': {'client_to_server': 17, 'server_to_client': 0}, 'client_saw': ures,
        'icmp_error': 'destination unreachable / port unreachable (type 3 code 3) from 10.0.2.2',
        'zeek_conn_state': 'S0', 'zeek_reason': 'UDP with packets from the originator only (the ICMP error is '
                                                'a separate flow to Zeek)',
    })
    run.kernel_end()


def sc_abortive_close(run, args):
    def server(c, rec):
        recv_exact(c, len(REQ))
        c.sendall(RESP)
        try:
            n = c.recv(100)
            rec['after'] = f'recv returned {len(n)} bytes'
        except ConnectionResetError:
            rec['after'] = 'ECONNRESET'
        c.close()

    def client(s, rec):
        s.sendall(REQ)
        recv_exact(s, len(RESP))
        time.sleep(0.05)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        rec['close_at'] = now()
        s.close()

    svc, lst = listener_service(server)
    cr = tcp_client(9000, 40014, client)
    time.sleep(0.2)
    srv_after = lst.results[0]['after'] if lst.results else None
    run.step('client 10.0.1.2:40014 connects to 10.0.2.2:9000, 100 bytes up, 200 bytes down')
    run.step(f'client sets SO_LINGER {{on, 0}} and close(): RST instead of FIN; server recv() -> {srv_after}')
    run.data['tcp'].append(tcp_conn('c1', cr['local'], (S4, 9000), 'reset', 'CLOSED', 'CLOSED', 100, 200, 'RSTO',
                                    reset_by='client', server_saw=srv_after))
    run.kernel_end()
    svc.stop()


def sc_half_close(run, args):
    def server(c, rec):
        got = recv_all(c)  # until the client's FIN
        rec['bytes_in'] = got
        rec['eof_at'] = now()
        for i in range(3):
            time.sleep(0.05)
            c.sendall(bytes([0x41 + i]) * 1000)
        time.sleep(0.05)
        rec['close_at'] = now()
        c.close()

    def client(s, rec):
        s.sendall(REQ)
        time.sleep(0.02)
        rec['shutdown_at'] = now()
        s.shutdown(socket.SHUT_WR)
        rec['bytes_in'] = recv_all(s)
        rec['peer_fin_at'] = now()
        s.close()

    svc, lst = listener_service(server)
    cr = tcp_client(9000, 40015, client)
    time.sleep(0.2)
    assert cr['bytes_in'] == 3000, cr
    run.step('client 10.0.1.2:40015 sends 100 bytes to 10.0.2.2:9000 then shutdown(SHUT_WR): FIN')
    run.step('server reads EOF, then still sends 3 x 1000 bytes 50 ms apart (client in FIN-WAIT-2 '
             'receives and ACKs them), then close(): FIN')
    run.data['tcp'].append(tcp_conn('c1', cr['local'], (S4, 9000), 'client', 'TIME-WAIT', 'CLOSED', 100, 3000, 'SF',
                                    'both sides sent FIN (the client\'s long before the server\'s); '
                                    'data after the first FIN does not change the state',
                                    half_close={'client_shutdown_wr_at': cr['shutdown_at'],
                                                'server_bytes_after_client_fin': 3000}))
    run.kernel_end()
    svc.stop()


def sc_timewait_reuse(run, args):
    def server(c, rec):
        recv_exact(c, len(REQ))
        c.sendall(RESP)
        if rec['peer'][1] == 40101 and not any(r['peer'][1] == 40101 for r in lst.results):
            time.sleep(0.05)
            rec['closed_first'] = 'server'
            c.close()
            return
        recv_all(c)
        rec['closed_first'] = 'client'
        c.close()

    def client():
        out = {'A': [], 'B': []}
        # A: client-side TIME-WAIT reused by connect() (net.ipv4.tcp_tw_reuse=1)
        for n in range(2):
            s = socket.socket(A4, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('0.0.0.0', 40100))
            attempts = []
            while True:
                try:
                    s.connect((S4, 9000))
                    attempts.append({'at': now(), 'result': 'connected'})
                    break
                except OSError as e:
                    attempts.append({'at': now(), 'result': errno.errorcode.get(e.errno, str(e.errno))})
                    if e.errno != errno.EADDRNOTAVAIL or len(attempts) > 40:
                        raise
                    time.sleep(0.1)
            s.sendall(REQ)
            recv_exact(s, len(RESP))
            s.close()  # client closes first: TIME-WAIT on the client
            out['A'].append({'local': (C4, 40100), 'connect_attempts': attempts,
                             'closed_at': now()})
            time.sleep(0.05)
        time.sleep(0.2)
        # B: server-side TIME-WAIT; client reconnects from the same port right away
        for n in range(2):
            s = socket.socket(A4, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('0.0.0.0', 40101))
            s.connect((S4, 9000))
            t = now()
            s.sendall(REQ)
            recv_exact(s, len(RESP))
            if n == 0:
                recv_all(s)  # server closes first
            s.close()
            out['B'].append({'local': (C4, 40101), 'connected_at': t, 'closed_at': now()})
        return out

    svc, lst = listener_service(server)
    out = run_in(NS['client'], client, timeout=30)
    time.sleep(0.2)
    a0, a1 = out['A']
    fails = [x for x in a1['connect_attempts'] if x['result'] != 'connected']
    ok_at = a1['connect_attempts'][-1]['at']
    wait = round(ok_at - a0['closed_at'], 3)
    run.step('A1: 10.0.1.2:40100 -> 10.0.2.2:9000, 100/200 bytes, client closes first: client TIME-WAIT')
    if fails:
        run.step(f'A2: same 4-tuple again: connect() failed {len(fails)} times with EADDRNOTAVAIL, then '
                 f'succeeded {wait}s after A1 closed by taking over the TIME-WAIT socket')
    else:
        run.step(f'A2: same 4-tuple again {wait}s after A1 closed: bind(40100) with SO_REUSEADDR + connect() '
                 'succeeded at once. With an explicitly bound port Linux calls tcp_twsk_unique() without a '
                 'twp pointer, so tcp_tw_reuse/tcp_tw_reuse_delay do not apply: a TIME-WAIT that saw '
                 'timestamps is taken over immediately. The new ISN is the TIME-WAIT snd_nxt + 65537 and the '
                 'timestamp clock continues, so the server (CLOSED for this tuple) sees an ordinary SYN')
    run.step('B1: 10.0.1.2:40101 -> 10.0.2.2:9000, server closes first: server TIME-WAIT')
    run.step('B2: immediately a new SYN from 10.0.1.2:40101 to the server\'s TIME-WAIT 4-tuple; the server '
             'accepts it (RFC 6191: timestamps newer), B2 ends with the client closing first')
    run.data['tcp'] += [
        tcp_conn('A1', (C4, 40100), (S4, 9000), 'client', 'TIME-WAIT', 'CLOSED', 100, 200, 'SF',
                 after='client TIME-WAIT taken over by A2\'s connect(); at capture end the 4-tuple belongs to A2',
                 final_state_note='TIME-WAIT until A2 connect() reused it'),
        tcp_conn('A2', (C4, 40100), (S4, 9000), 'client', 'TIME-WAIT', 'CLOSED', 100, 200, 'SF',
                 reuse_of='A1', connect_attempts=a1['connect_attempts']),
        tcp_conn('B1', (C4, 40101), (S4, 9000), 'server', 'CLOSED', 'TIME-WAIT', 100, 200, 'SF',
                 after='server TIME-WAIT ended early by B2\'s SYN (accepted, see RFC 6191)'),
        tcp_conn('B2', (C4, 40101), (S4, 9000), 'client', 'TIME-WAIT', 'CLOSED', 100, 200, 'SF', reuse_of='B1'),
    ]
    ss = run.kernel_end()
    # A1 and B1 share 4-tuples with A2/B2: the kernel can only show the latest; say so
    for c in run.data['tcp']:
        if c['id'] in ('A1', 'B1'):
            c['kernel_state'] = {'note': 'same 4-tuple as its successor; ss shows only the successor'}
    run.data['notes'] = [n for n in run.data['notes'] if not n.startswith(('A1', 'B1'))]
    run.data['kernel']['tw_reuse'] = {'refused_connects_before_reuse': len(fails), 'reuse_after_s': wait,
                                      'expected_isn_rule': 'A2 ISN = A1 client snd_nxt + 65537 (A1 ISN + 1 + 100 '
                                                           '+ 1 + 65537 = A1 ISN + 65639)'}
    del ss
    svc.stop()


def port_list(ports):
    ports = sorted(int(p) for p in ports)
    out, i = [], 0
    while i < len(ports):
        j = i
        while j + 1 < len(ports) and ports[j + 1] == ports[j] + 1:
            j += 1
        out.append(str(ports[i]) if i == j else f'{ports[i]}-{ports[j]}')
        i = j + 1
    return ', '.join(out)


def backlog_run(run, variant):
    port, nclients = 9100, 20
    if variant == 'syncookies':
        nclients = 3

    def handler(c, rec):
        recv_exact(c, len(REQ))
        c.sendall(RESP)
        recv_all(c)
        c.close()

    accept = variant == 'syncookies'
    svc, lst = listener_service(handler, port=port, backlog=1 if not accept else 8, accept=accept)
    listen_before = [r for r in ss_snapshot(NS['server']) if r['state'] == 'LISTEN']

    def clients():
        socks = []
        t_start = now()
        for i in range(nclients):
            s = socket.socket(A4, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('0.0.0.0', 41000 + i))
            if i == 0 and variant != 'syncookies':
                # one connection first, alone: it takes one of the two accept-queue slots, so the
                # burst below can create more request sockets than there is room left for
                s.settimeout(2)
                s.connect((S4, port))
                time.sleep(0.05)
            elif variant != 'syncookies':
                # TCP_DEFER_ACCEPT on a *connecting* socket makes Linux hold back the ACK that ends
                # the handshake (tcp_rcv_synsent_state_process, up to 200 ms): all burst SYNs reach the
                # listener before any ACK, so it has more request sockets than accept-queue room
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
            socks.append(s)
        for i, s in enumerate(socks):
            if i == 0 and variant != 'syncookies':
                continue
            s.setblocking(False)
            s.connect_ex((S4, port))
        socks = [(s, 0) for s in socks]
        res = [{'local': ep(C4, 41000 + i), 'connect_started': t_start} for i in range(nclients)]
        if variant == 'syncookies':
            for i, (s, _) in enumerate(socks):
                s.setblocking(True)
                s.settimeout(5)
                select.select([], [s], [], 5)
                s.sendall(REQ)
                recv_exact(s, len(RESP))
                s.close()
                res[i]['outcome'] = 'exchanged 100/200 bytes, client closed first'
            return res
        # watch for up to 4 s: writable = connect finished (ok or error)
        deadline = time.time() + 4.0
        pending = {s.fileno(): i for i, (s, _) in enumerate(socks)}
        while pending and time.time() < deadline:
            _, w, _ = select.select([], [socks[i][0] for i in pending.values()], [], 0.05)
            for s in w:
                i = pending.pop(s.fileno())
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                res[i]['connect_result'] = 'connected' if e == 0 else errno.errorcode.get(e, str(e))
                res[i]['connect_result_at'] = now()
        for i in pending.values():
            res[i]['connect_result'] = 'still SYN-SENT after 4 s'
        # sockets whose handshake completed: did the server later reset them?
        time.sleep(0.1)
        for i, (s, _) in enumerate(socks):
            e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if e:
                res[i]['later_error'] = errno.errorcode.get(e, str(e))
        return res, socks

    if variant == 'syncookies':
        res = run_in(NS['client'], clients, timeout=20)
        socks = []
        time.sleep(0.3)
    else:
        res, socks = run_in(NS['client'], clients, timeout=20)
    ss = run.kernel_end(extra={'listener_before': listen_before})
    run.data['kernel']['listener_end'] = [r for r in ss['server'] if r['state'] == 'LISTEN']
    ssc = {r['local']: r['rfc9293'] for r in ss['client'] if r['peer'] == ep(S4, port)}
    sss = {r['peer']: r['rfc9293'] for r in ss['server'] if r['local'] == ep(S4, port)}
    for r in res:
        cs, srv_state = ssc.get(r['local'], 'CLOSED'), sss.get(r['local'], 'CLOSED')
        r['kernel_state'] = {'client': cs, 'server': srv_state}
        if variant == 'syncookies':
            fc, fin, z = 'client', {'client': 'TIME-WAIT', 'server': 'CLOSED'}, 'SF'
            why = None
        elif cs == 'SYN-SENT' or r.get('connect_result', '').startswith(('ETIMEDOUT', 'still')):
            fc, fin, z = 'never', {'client': 'SYN-SENT', 'server': srv_state}, 'S0'
            why = 'every SYN (first and retransmissions) dropped by the full listener: no SYN-ACK on the wire'
        elif r.get('later_error') == 'ECONNRESET' or cs == 'CLOSED':
            fc, fin, z = 'reset', {'client': 'CLOSED', 'server': 'CLOSED'}, 'RSTR'
            why = 'handshake completed, then the server answered the client\'s ACK with RST (tcp_abort_on_overflow=1)'
        elif srv_state == 'ESTABLISHED':
            fc, fin, z = 'never', {'client': 'ESTABLISHED', 'server': 'ESTABLISHED'}, 'S1'
            why = 'handshake completed; the child sits in the accept queue, never accepted'
        else:
            fc, fin, z = 'never', {'client': cs, 'server': srv_state}, 'S1'
            why = ('client got SYN-ACK and ACKed (client ESTABLISHED) but the full accept queue made the server '
                   'drop the ACK: server stays SYN-RECEIVED and retransmits the SYN-ACK; Zeek sees S, SA, A: S1')
        run.data['tcp'].append(tcp_conn(
            'c%02d' % (int(r['local'].rsplit(':', 1)[1]) - 41000), r['local'].rsplit(':', 1), (S4, port), fc,
            fin['client'], fin['server'], 100 if variant == 'syncookies' else 0,
            200 if variant == 'syncookies' else 0, z, why,
            client_result={k: v for k, v in r.items() if k not in ('local', 'kernel_state')}))
    for c, r in zip(run.data['tcp'], res):
        c['client'] = r['local']
        c['kernel_state'] = r['kernel_state']
    run.data['notes'] = [n for n in run.data['notes'] if 'kernel reported' not in n]
    summary = {}
    for c in run.data['tcp']:
        key = f'{c["kernel_state"]["client"]}/{c["kernel_state"]["server"]}'
        summary[key] = summary.get(key, 0) + 1
    run.data['kernel']['client_server_state_counts'] = summary
    groups = {}
    for c in run.data['tcp']:
        key = f'client {c["kernel_state"]["client"]} / server {c["kernel_state"]["server"]}'
        groups.setdefault(key, []).append(c['client'].rsplit(':', 1)[1])
    run.data['outcome'] = '; '.join(f'{k}: port{"s" if len(v) > 1 else ""} {port_list(v)}' for k, v in groups.items())
    svc.stop()
    for s, _ in socks:
        s.close()
    return res


BACKLOG_STORY = [
    'server listens on 10.0.2.2:9100 with listen(1) (accept queue holds 2) and never calls accept(); '
    'server: tcp_syncookies=0, tcp_synack_retries=2; client: tcp_syn_retries=2 (tcp_syn_linear_timeouts=4)',
    'client 10.0.1.2:41000 connects alone first: its child socket takes accept-queue slot 1',
    '50 ms later 19 more clients (10.0.1.2:41001-41019) connect() at once; their sockets have TCP_DEFER_ACCEPT '
    'set, which on a connecting socket makes Linux delay the handshake-completing ACK by ~200 ms, so every '
    'burst SYN reaches the listener before any ACK',
    'two burst SYNs get a request socket and a SYN-ACK (the SYN queue of listen(1) takes 2); the other 17 are '
    'dropped because the SYN queue is full (ListenDrops only; with tcp_syncookies=0 no cookie is sent)',
    'retransmitted SYNs (+1 s, +2 s, +3 s, +4 s: linear because of tcp_syn_linear_timeouts) all find the '
    'accept queue full and are dropped (ListenOverflows and ListenDrops): SYN retransmissions without SYN-ACK',
]


def sc_backlog_overflow(run, args):
    backlog_run(run, 'overflow')
    for t in BACKLOG_STORY:
        run.step(t)
    run.step('~200 ms later both delayed ACKs arrive: the first fills the accept queue (2 of 2), the other one '
             'overflows and is dropped silently (tcp_abort_on_overflow=0): that client is ESTABLISHED, the '
             'server keeps it SYN-RECEIVED and retransmits the SYN-ACK at +1 s and +3 s; each is ACKed and the '
             'ACK dropped again')
    run.step('capture stops ~4.5 s after the burst, before the SYN-SENT sockets give up (~7 s)')
    run.step('outcome at capture end (ss on both hosts): ' + run.data.pop('outcome'))


def sc_backlog_abort(run, args):
    backlog_run(run, 'abort')
    for t in BACKLOG_STORY:
        run.step(t.replace('tcp_syncookies=0,', 'tcp_syncookies=0, tcp_abort_on_overflow=1,'))
    run.step('~200 ms later both delayed ACKs arrive: the first fills the accept queue, the overflowing one is '
             'answered with a RST (tcp_abort_on_overflow=1, TcpExtEmbryonicRsts): that client, which had '
             'already reported connect() success, is reset')
    run.step('capture stops ~4.5 s after the burst')
    run.step('outcome at capture end (ss on both hosts): ' + run.data.pop('outcome'))


def sc_syncookies(run, args):
    backlog_run(run, 'syncookies')
    run.step('net.ipv4.tcp_syncookies=2 on the server: every SYN is answered with a SYN cookie, no request '
             'socket is kept; the ACK carries the cookie back and creates the connection')
    run.step('3 clients (10.0.1.2:41000-41002) each send 100 bytes, get 200, close first; server accepts')


def sc_loss_retransmit(run, args):
    web = http_service()

    def client():
        c = P.HttpClient(A4, S4, 80, local_port=40020)
        c.request('GET', '/big')
        time.sleep(0.05)
        c.close_first()
        return c.rec

    rec = run_in(NS['client'], client, timeout=60)
    time.sleep(0.2)
    srv = find_srv(web, 40020)
    rules = open(os.path.join(HERE, 'loss.nft')).read()
    run.step('client 10.0.1.2:40020 GET /big from 10.0.2.2:80: 307200-byte body, Content-Length')
    run.step('router drops chosen server->client data segments in its forward hook (nft numgen counter '
             'over full-size data segments: indexes 20,21,22 (burst), 60 (single), 150 (single)) and the '
             'tail: the server writes the last 100 bytes alone 300 ms later, and that segment is dropped once')
    run.step('the client SACKs the holes (duplicate ACKs with SACK blocks), the server repairs them with fast '
             'retransmits in SACK recovery; the lost tail has no later segment to trigger duplicate ACKs, so the '
             'sender recovers it by a tail loss probe or RTO (see nstat TCPLossProbes/TcpExtTCPTimeouts)')
    run.step('client closes first after the whole body arrived')
    run.data['tcp'].append(http_conn_record(
        'big-1', rec, srv, 'client', 'TIME-WAIT', 'CLOSED', 'SF',
        'normal close; loss and retransmission do not change conn_state (history gets T/t retransmission flags)'))
    run.data['tcp'][0]['loss'] = {
        'where': 'router forward hook (between the server and the capture point)',
        'nft_rules': rules,
        'dropped_segment_indexes': [20, 21, 22, 60, 150],
        'index_meaning': 'n-th IPv4 packet forwarded from 10.0.2.2:80 with total length > 1000 (0-based), '
                         'counting retransmissions too',
        'dropped_tail': 'the first IPv4 packet from 10.0.2.2:80 with total length 152: the last 100 bytes of the '
                        'body, written separately 300 ms after the rest',
    }
    run.kernel_end()
    run.data['kernel']['nft_ruleset_after'] = sh('nft', 'list', 'ruleset', ns=NS['router'])
    web.stop()


def sc_nat(run, args):
    web = http_service()
    dns = dns_service()

    def client1_a():
        c = P.HttpClient(A4, S4, 80, local_port=40000)
        c.request('GET', '/index.html')
        return c

    def client2_a():
        c = P.HttpClient(A4, S4, 80, local_port=40000)
        c.request('GET', '/index.html')
        return c

    run.step('client1 10.0.1.2 and client2 10.0.1.3 share the inside link (macvlan); router masquerades '
             'to 10.0.2.1 on wan0')
    c1 = run_in(NS['client'], client1_a)
    c2 = run_in(NS['client2'], client2_a)  # same source port: NAT must pick another one
    run.step('client1 and client2 both open TCP from source port 40000 to 10.0.2.2:80 (overlapping in time); '
             'the second needs a new outside port')
    d1 = run_in(NS['client'], lambda: P.dns_ask(A4, S4, 40053))
    d2 = run_in(NS['client2'], lambda: P.dns_ask(A4, S4, 40053, qid=0x4C42))
    run.step('both clients send a DNS query from UDP port 40053: the second is remapped too')
    p1 = run_in(NS['client'], lambda: P.ping(A4, S4, count=1))
    p2 = run_in(NS['client2'], lambda: P.ping(A4, S4, count=1))
    run.step('both clients ping with the same ICMP id 0x574c: NAT rewrites the second id')

    def closer(c):
        def f():
            c.request('GET', '/chunked')
            c.close_first()
            return c.rec
        return f

    r1 = run_in(NS['client'], closer(c1))
    r2 = run_in(NS['client2'], closer(c2))

    def client1_b():
        c = P.HttpClient(A4, S4, 80, local_port=40001)  # no collision: masquerade keeps the port
        c.request('GET', '/missing', close=True)
        c.wait_server_close()
        return c.rec

    r3 = run_in(NS['client'], client1_b)
    run.step('both TCP connections do GET /chunked and close (clients first); client1 opens a third '
             'connection from port 40001: GET /missing with Connection: close (server closes first)')
    time.sleep(0.3)
    ct = labnet.conntrack_snapshot(NS['router'])
    # translation table from conntrack: inside (orig src) <-> outside (reply dst)
    table = []
    for e in ct:
        o, rp = e['orig'], e['reply']
        if not o.get('src', '').startswith('10.0.1.'):
            continue
        row = {'protocol': e['l4'], 'state': e['state'], 'flags': e['flags']}
        if e['l4'] in ('tcp', 'udp'):
            row['inside'] = ep(o['src'], o['sport'])
            row['outside'] = ep(rp['dst'], rp['dport'])
            row['server'] = ep(o['dst'], o['dport'])
            row['port_changed'] = o['sport'] != rp['dport']
        else:
            row['inside'] = f'{o["src"]} id {o.get("id")}'
            row['outside'] = f'{rp["dst"]} id {rp.get("id")}'
            row['server'] = o['dst']
            row['port_changed'] = o.get('id') != rp.get('id')
        table.append(row)
    table.sort(key=lambda r: (r['protocol'], r['inside']))
    # what the server saw, to cross-check with conntrack
    server_peers = [ep(*r['peer']) for r in web.obj.conns] + [ep(*x['peer']) for x in dns.obj.log]
    by_inside = {(r['protocol'], r['inside']): r['outside'] for r in table}
    for cid, rec, role in (('nat-tcp-1', r1, 'client'), ('nat-tcp-2', r2, 'client2'), ('nat-tcp-3', r3, 'client')):
        outside = by_inside.get(('tcp', ep(*rec['local'])))
        srv = None
        for s in web.obj.conns:
            if outside and ep(*s['peer']) == outside:
                srv = s
        first = 'server' if cid == 'nat-tcp-3' else 'client'
        c = http_conn_record(cid, rec, srv, first, 'CLOSED' if first == 'server' else 'TIME-WAIT',
                             'TIME-WAIT' if first == 'server' else 'CLOSED', 'SF')
        c['client_role'] = role
        c['nat'] = {'inside': c['client'], 'outside': outside, 'server_saw': c.pop('server_saw_peer')}
        c['client_seen_as'] = outside  # the server's kernel knows only the outside address
        run.data['tcp'].append(c)
    for uid, d in (('nat-dns-1', d1), ('nat-dns-2', d2)):
        inside = ep(*d['local'])
        run.data['udp'].append({
            'id': uid, 'client': inside, 'server': ep(*d['server']), 'initiator': 'client',
            'bytes': {'client_to_server': d['query_bytes'], 'server_to_client': d['response_bytes']},
            'dns': {'id': d['id'], 'qname': d['qname'], 'qtype': d['qtype'], 'rcode': d['rcode']},
            'nat': {'inside': inside, 'outside': by_inside.get(('udp', inside))},
            'zeek_conn_state': 'SF', 'zeek_reason': 'UDP with packets in both directions',
        })
    for pid, p, src in (('nat-ping-1', p1, C4), ('nat-ping-2', p2, C2_4)):
        run.data['icmp'].append({'id': pid, 'type': 'echo', 'src': src, 'dst': S4, 'icmp_id': p['id'],
                                 'requests': p['count'], 'replies': p['received'],
                                 'nat': {'inside': f'{src} id {p["id"]}',
                                         'outside': by_inside.get(('icmp', f'{src} id {p["id"]}'))}})
    run.data['nat'] = {
        'type': 'nft masquerade (source NAT to the outgoing interface address)',
        'inside_interface': 'router lan0 (10.0.1.1/24)', 'outside_interface': 'router wan0 (10.0.2.1/24)',
        'outside_address': R4_OUT,
        'rule_file': open(os.path.join(HERE, 'nat.nft')).read(),
        'translations': table,
        'source': '/proc/net/nf_conntrack in the router namespace, read after the traffic',
        'server_saw_peers': server_peers,
        'conntrack_raw': [e['raw'] for e in ct],
    }
    run.data['capture_views'] = {
        'inside': 'router lan0: clients as themselves (10.0.1.2, 10.0.1.3) talking to 10.0.2.2; '
                  'both clients use source port 40000 (TCP) and 40053 (UDP) and ICMP id 0x574c',
        'outside': 'router wan0: every flow comes from 10.0.2.1; the second client\'s flows carry the '
                   'translated port / ICMP id listed in nat.translations',
    }
    changed = [r for r in table if r['port_changed']]
    if not changed:
        run.note('no NAT port change observed: expected at least one collision remap')
    run.roles = ['client', 'client2', 'router', 'server']
    run.kernel_end()
    run.data['kernel']['nft_ruleset_after'] = sh('nft', 'list', 'ruleset', ns=NS['router'])
    web.stop()
    dns.stop()


def small_http_story(run, ping=True, ping_count=1):
    web = http_service()

    def client():
        out = {}
        if ping:
            out['ping'] = P.ping(A4, S4, count=ping_count)
            time.sleep(0.05)
        c = P.HttpClient(A4, S4, 80, local_port=40030)
        c.request('GET', '/index.html')
        time.sleep(0.02)
        c.request('GET', '/missing')
        c.close_first()
        out['c'] = c.rec
        return out

    out = run_in(NS['client'], client)
    if ping:
        p = out['ping']
        run.data['icmp'].append({'id': 'ping-1', 'type': 'echo', 'src': C4, 'dst': S4, 'icmp_id': p['id'],
                                 'requests': p['count'], 'replies': p['received'],
                                 'zeek_conn_state': 'OTH', 'zeek_reason': 'Zeek gives ICMP flows OTH'})
        run.step(f'ICMP echo x{p["count"]} 10.0.1.2 -> 10.0.2.2')
    run.step('TCP 10.0.1.2:40030 -> 10.0.2.2:80: GET /index.html 200, GET /missing 404, client closes first')
    run.data['tcp'].append(http_conn_record('http-1', out['c'], find_srv(web, 40030), 'client', 'TIME-WAIT',
                                            'CLOSED', 'SF'))
    run.kernel_end()
    web.stop()


def sc_sll2_any(run, args):
    run.step('captured on the ROUTER with -i any: every forwarded packet appears twice, once on lan0 '
             '(incoming, SLL2 packet type "to us"/host) and once on wan0 (outgoing); ARP on both sides')
    small_http_story(run)


def sc_nanosecond(run, args):
    run.step('pcap with nanosecond timestamps (magic a1b23c4d), captured on the client link')
    small_http_story(run, ping=False)


def sc_pcapng_multi(run, args):
    run.step('two captures at once: client eth0 (Ethernet) and server -i any (Linux cooked v2), '
             'merged into one pcapng with two interfaces of different link types')
    small_http_story(run)


def sc_vlan(run, args):
    run.step('captured on the trunk link between two userspace 802.1Q taggers: every frame carries '
             'VLAN 10 (PCP 0); ARP, ICMP and TCP inside the tag')
    run.data['vlan'] = {'vid': 10, 'pcp': 0, 'tpid': '0x8100', 'tagger': 'scripts/lab/lab.py vlan-switch '
                        '(AF_PACKET; pushes the tag toward the trunk, pops it toward the access ports)'}
    small_http_story(run)


# ---- HTTP/1.x scenarios: raw-socket peers from http_scenarios.py --------------------------


def raw_service(handler, port=80, addr=S4, family=A4):
    return Service(NS['server'], lambda: http1.RawServer(family, addr, port, handler))


def raw_conn(svc, local_port, timeout=5.0):
    """The server's log of the connection from client port `local_port`, once its handler is done."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for r in svc.obj.conns:
            if r['peer'][1] == local_port and r.get('done'):
                return r
        time.sleep(0.02)
    raise RuntimeError(f'no finished server connection from port {local_port}')


CROSS_CHECK = ('status', 'request_bytes', 'request_body_bytes', 'request_transfer', 'response_bytes',
               'response_body_bytes', 'transfer')


def http_transactions(cli, srv):
    """Client log + server log of one connection -> the truth's http[] (they must agree)."""
    txs = []
    if len(cli['transactions']) != len(srv['requests']):
        raise RuntimeError(f'client saw {len(cli["transactions"])} transactions, server {len(srv["requests"])}')
    for i, (t, sv) in enumerate(zip(cli['transactions'], srv['requests'])):
        e = {'seq': i + 1}
        e.update({k: v for k, v in t.items() if not k.startswith('_')})
        for k in CROSS_CHECK:
            if e.get(k) != sv.get(k):
                raise RuntimeError(f'transaction {i + 1} {k}: client {e.get(k)!r}, server {sv.get(k)!r}')
        if len(e['interim_responses']) != len(sv.get('interim_responses', [])):
            raise RuntimeError(f'transaction {i + 1}: interim responses differ')
        if 'decoded_body_bytes' in sv and sv['decoded_body_bytes'] != e.get('decoded_body_bytes'):
            raise RuntimeError(f'transaction {i + 1}: decoded sizes differ')
        e['server_received_at'] = sv['received_at']
        e['server_answered_at'] = sv['answered_at']
        txs.append(e)
    return txs


def http_tcp(cid, cli, srv, first_close, final_client, final_server, zeek='SF', why=None, **extra):
    txs = http_transactions(cli, srv)
    if (srv['bytes_in'], srv['bytes_out']) != (cli['bytes_out'], cli['bytes_in']):
        raise RuntimeError(f'{cid}: byte counts differ: client {cli["bytes_out"]}/{cli["bytes_in"]}, '
                           f'server {srv["bytes_in"]}/{srv["bytes_out"]}')
    # every byte each way is accounted for by the transactions (and the data after an upgrade)
    after = [(t.get('upgrade') or t.get('tunnel') or {}).get('bytes_after', {}) for t in txs]
    c2s = sum(t['request_bytes'] for t in txs) + sum(a.get('client_to_server', 0) for a in after)
    s2c = sum(t['response_bytes'] + sum(x['response_bytes'] for x in t['interim_responses']) for t in txs) + sum(
        a.get('server_to_client', 0) for a in after)
    if (c2s, s2c) != (cli['bytes_out'], cli['bytes_in']):
        raise RuntimeError(f'{cid}: transactions account for {c2s}/{s2c} bytes, the socket moved '
                           f'{cli["bytes_out"]}/{cli["bytes_in"]}')
    if cli['closed_first_by'] != srv['closed_first_by'] or cli['closed_first_by'] != first_close:
        raise RuntimeError(f'{cid}: closed first by client log {cli["closed_first_by"]}, server log '
                           f'{srv["closed_first_by"]}, expected {first_close}')
    return tcp_conn(
        cid, cli['local'], cli['peer'], first_close, final_client, final_server, cli['bytes_out'], cli['bytes_in'],
        zeek, why, http=txs,
        timing={k: cli[k] for k in ('connect_start', 'established_at', 'close_at', 'peer_fin_at', 'closed_at')
                if cli.get(k) is not None},
        server_saw_peer=ep(*srv['peer']), **extra)


def sc_http_pipelined(run, args):
    web = raw_service(H.pipe_server)
    rec = run_in(NS['client'], H.pipe_client)
    srv = raw_conn(web, 40040)
    if srv['requests_read_before_first_response'] != 5:
        raise RuntimeError('the server did not have the whole pipeline before answering')
    run.step(f'client 10.0.1.2:40040 connects to 10.0.2.2:80 and writes 5 requests in one write '
             f'({rec["pipeline"]["bytes"]} bytes, one segment): GET /pipe/1, GET /pipe/2, HEAD /pipe/3, '
             'GET /pipe/4, GET /pipe/5')
    run.step(f'the server reads all 5 requests (in {srv["request_recv_calls"]} recv call(s)) before it writes '
             'the first response, then answers them in order, one write each: 200 (120 bytes, Content-Length), '
             '200 (3000 bytes, 3 segments), 200 to HEAD (Content-Length: 3000, no body), 200 chunked '
             '(3 chunks, 224 bytes), 404')
    run.step('client closes first after the 5th response')
    run.data['tcp'].append(http_tcp(
        'pipe-1', rec, srv, 'client', 'TIME-WAIT', 'CLOSED',
        pipelining={'requests_in_one_write': 5, 'request_bytes': rec['pipeline']['bytes'],
                    'server_read_all_before_first_response': True,
                    'server_recv_calls_for_the_pipeline': srv['request_recv_calls']}))
    run.kernel_end()
    web.stop()


def sc_http_chunked(run, args):
    web = raw_service(H.chunked_server)
    rec = run_in(NS['client'], H.chunked_client)
    srv = raw_conn(web, 40041)
    w = srv['requests'][0]['writes']
    run.step('client 10.0.1.2:40041 -> 10.0.2.2:80, one keep-alive connection, 3 transactions; both sockets '
             'have TCP_NODELAY, so every write below is a segment of its own')
    run.step('GET /chunked/ext (TE: trailers): 200 chunked with chunk extensions (1A;name=value, '
             '0010;quoted="a b;c", 100;flag, 7;a=1;b=2), last chunk 0;final=yes and trailer fields X-Checksum and '
             f'X-Trailer-Note (announced in Trailer:); written in 4 pieces 30 ms apart ({w} bytes): the size line '
             '"100;flag" is split after "10", so it spans two segments')
    run.step('POST /chunked/upload with Transfer-Encoding: chunked: the head, then 3 chunks (5;part=1, 13;part=2, '
             'a) each in its own write 30 ms apart, then the last chunk with a trailer X-Upload-Checksum: 201 '
             'Content-Length')
    run.step('GET /chunked/big: 200 chunked, chunks of 5000 and 1000 (3E8;last) bytes in one write')
    run.step('client closes first')
    run.data['tcp'].append(http_tcp('chunked-1', rec, srv, 'client', 'TIME-WAIT', 'CLOSED'))
    run.kernel_end()
    web.stop()


def sc_http_large_loss(run, args):
    web = raw_service(H.large_server)
    rec = run_in(NS['client'], H.large_client, timeout=60)
    srv = raw_conn(web, 40042)
    rules = open(os.path.join(HERE, 'loss-http.nft')).read()
    run.step(f'client 10.0.1.2:40042 GET /large from 10.0.2.2:80: {H.LARGE_SIZE}-byte body, Content-Length, '
             'written by the server in one write (about 142 full-size segments)')
    run.step('the router drops 4 server->client data segments in its forward hook (nft numgen counter over '
             'full-size data segments from port 80: indexes 30, 31 (a burst), 80, 120)')
    run.step('the client keeps receiving later segments and SACKs the holes; the server retransmits the lost '
             'segments (fast retransmit in SACK recovery), so on the client link each retransmission arrives '
             'after segments with higher sequence numbers')
    run.step('then GET /after (300 bytes) on the same connection; client closes first')
    run.data['tcp'].append(http_tcp(
        'large-1', rec, srv, 'client', 'TIME-WAIT', 'CLOSED', 'SF',
        'normal close; loss and retransmission do not change conn_state',
        loss={'where': 'router forward hook (between the server and the capture point)',
              'nft_rules': rules,
              'dropped_segment_indexes': [30, 31, 80, 120],
              'index_meaning': 'n-th IPv4 packet forwarded from 10.0.2.2:80 with total length > 1000 (0-based), '
                               'counting retransmissions too',
              'body_bytes': H.LARGE_SIZE}))
    run.kernel_end()
    zw = run.data['kernel']['nstat_delta']['client'].get('TcpExtTCPToZeroWindowAdv', 0)
    if zw:
        run.step(f'the client advertised a zero window {zw} time(s) (nstat TCPToZeroWindowAdv: its application '
                 'read more slowly than the data arrived) and reopened it (TCPFromZeroWindowAdv); this depends on '
                 'scheduling and may differ between runs')
    ruleset = sh('nft', 'list', 'ruleset', ns=NS['router'])
    run.data['kernel']['nft_ruleset_after'] = ruleset
    web.stop()


def sc_http_misc(run, args):
    web = raw_service(H.misc_server)
    rec = run_in(NS['client'], H.misc_client)
    srv = raw_conn(web, 40043)
    run.step('client 10.0.1.2:40043 -> 10.0.2.2:80, one connection, 7 transactions in turn:')
    run.step(f'HEAD /misc/page: 200, Content-Length: {len(H.PAGE)} but no body (HEAD)')
    run.step('GET /misc/empty: 204 No Content (no body, no Content-Length)')
    run.step('GET /misc/etag with If-None-Match: 304 Not Modified (no body)')
    run.step(f'POST /misc/upload with Expect: 100-continue and Content-Length: {len(H.UPLOAD_100)}: the client '
             'sends the head only, the server answers HTTP/1.1 100 Continue, the client then sends the body, the '
             'server answers 201 Created')
    run.step(f'GET /misc/gzip with Accept-Encoding: gzip: 200, Content-Encoding: gzip, Content-Length: '
             f'{len(H.GZ_BODY)} (the compressed size; {len(H.GZ_PLAIN)} bytes once decompressed)')
    run.step('GET /misc/missing: 404 Not Found')
    run.step(f'GET /misc/legacy: the server answers HTTP/1.0 200 OK without Content-Length or keep-alive, '
             f'{len(H.LEGACY)} body bytes, and closes: the body ends with the server FIN; the client reads '
             'EOF and closes')
    run.data['tcp'].append(http_tcp('misc-1', rec, srv, 'server', 'CLOSED', 'TIME-WAIT'))
    run.kernel_end()
    web.stop()


def sc_http_upgrade(run, args):
    backend = raw_service(H.backend_server, port=9443, addr='127.0.0.1')
    proxy = raw_service(H.proxy_server, port=3128)
    web = raw_service(H.ws_server)
    ws = run_in(NS['client'], H.ws_client)
    ws_srv = raw_conn(web, 40044)
    time.sleep(0.05)
    tun = run_in(NS['client'], H.connect_client)
    tun_srv = raw_conn(proxy, 40045)
    run.step('client 10.0.1.2:40044 -> 10.0.2.2:80: GET /chat with Upgrade: websocket, Connection: Upgrade, '
             'Sec-WebSocket-Key; the server answers 101 Switching Protocols and, in the same write, a WebSocket '
             'text frame; then a masked text frame from the client, an echo from the server, a masked close '
             'frame from the client, a close frame from the server, and the server closes the TCP connection '
             'first (RFC 6455 7.1.1)')
    run.step('client 10.0.1.2:40045 -> proxy 10.0.2.2:3128: CONNECT backend.lab.example:9443 HTTP/1.1; the proxy '
             'connects to 127.0.0.1:9443 inside the server namespace (not in this capture) and answers 200 '
             'Connection established; then 64 + 32 opaque bytes up and 128 + 16 down through the tunnel; the '
             'client closes first, the proxy passes the FIN on and closes after the backend')
    tun_extra = {'upstream': tun_srv['upstream'], 'relayed': tun_srv['tunnel_bytes']}
    run.data['tcp'].append(http_tcp('ws-1', ws, ws_srv, 'server', 'CLOSED', 'TIME-WAIT',
                                    websocket_frames_server_log=ws_srv['ws_frames']))
    run.data['tcp'].append(http_tcp('connect-1', tun, tun_srv, 'client', 'TIME-WAIT', 'CLOSED', proxy=tun_extra))
    run.kernel_end()
    web.stop()
    proxy.stop()
    backend.stop()


def sc_http_hostile(run, args):
    name = H.hostile_dns_name()
    dns = Service(NS['server'], lambda: P.DnsServer(A4, S4, {(name, 1): socket.inet_aton(S4)}))
    web = raw_service(H.hostile_server)

    def client():
        d = H.hostile_dns_ask()
        time.sleep(0.05)
        return d, H.hostile_client()

    d, rec = run_in(NS['client'], client)
    srv = raw_conn(web, 40046)
    run.step('DNS: A query from 10.0.1.2:40053 to 10.0.2.2:53 for a name whose labels hold ESC [31m ... ESC [0m, '
             'U+202E and backspaces, invalid UTF-8 and BEL; the server answers with 10.0.2.2')
    run.step('client 10.0.1.2:40046 -> 10.0.2.2:80, 3 requests on one connection: a request-target with CSI '
             'colour escapes, U+202E and backspaces; a Host with an OSC title sequence (ESC ]0;... BEL) and a '
             'User-Agent with escapes, backspaces and invalid UTF-8; a custom header X-Wirelens-Note with a '
             'clear-screen CSI, OSC, RLO/PDF, invalid UTF-8 and a backspace. The server answers each 200 OK '
             '"ok"; the client closes first')
    run.step('the exact bytes of every hostile field are in the truth (hostile[]: hex); a viewer must show them '
             'escaped, never send them to the terminal')
    labels = [x.hex() for x in H.HOSTILE_DNS_LABELS]
    run.data['udp'].append({
        'id': 'dns-1', 'client': ep(*d['local']), 'server': ep(*d['server']), 'initiator': 'client',
        'bytes': {'client_to_server': d['query_bytes'], 'server_to_client': d['response_bytes']},
        'dns': {'id': d['id'], 'qname': None, 'qname_labels_hex': labels, 'qname_wire_hex': d['qname_wire_hex'],
                'qtype': 'A', 'rcode': d['rcode'], 'answers': d['answers'], 'answer': S4, 'ttl': 300},
        'query_hex': d['query_hex'], 'response_hex': d['response_hex'],
        'timing': {'sent_at': d['sent_at'], 'answered_at': d['answered_at']},
        'zeek_conn_state': 'SF', 'zeek_reason': 'UDP with packets in both directions',
    })
    if d['rcode'] != 0 or d['answers'] != 1:
        raise RuntimeError(f'hostile DNS query not answered: {d}')
    hostile = [dict(h, connection='hostile-1') for h in rec.pop('hostile')]
    what = [['CSI ESC[31m', 'CSI ESC[0m'], ['U+202E RLO', 'backspace x2'], ['invalid UTF-8', 'BEL'], [], []]
    for i, (lab, w) in enumerate(zip(H.HOSTILE_DNS_LABELS, what)):
        if w:
            hostile.append({'where': 'dns', 'udp': 'dns-1', 'field': f'qname label {i + 1}', 'hex': lab.hex(),
                            'text': http1.text(lab), 'contains': w})
    run.data['hostile'] = hostile
    run.data['tcp'].append(http_tcp('hostile-1', rec, srv, 'client', 'TIME-WAIT', 'CLOSED'))
    run.kernel_end()
    web.stop()
    dns.stop()


def sc_close_simultaneous(run, args):
    """Two processes (one per namespace) agree on a CLOCK_MONOTONIC instant, spin until it and call
    shutdown(SHUT_WR). If both FINs leave before either arrives, both ends go FIN-WAIT-1 -> CLOSING ->
    TIME-WAIT; the kernel's ss then shows TIME-WAIT on BOTH sides, which is how we know it worked."""
    port, lport = 9000, 40016 + (int(args.attempt or 1) - 1) % 20
    res_s = os.path.join(run.work, 'simclose-server.json')
    res_c = os.path.join(run.work, 'simclose-client.json')
    me = os.path.abspath(__file__)
    srv = subprocess.Popen(['ip', 'netns', 'exec', NS['server'], sys.executable, me, 'role', 'simclose-server',
                            '--port', str(port), '--out', res_s], stdout=subprocess.PIPE, text=True)
    if srv.stdout.readline().strip() != 'ready':
        raise RuntimeError('simclose server did not start')
    cli = subprocess.run(['ip', 'netns', 'exec', NS['client'], sys.executable, me, 'role', 'simclose-client',
                          '--port', str(port), '--lport', str(lport), '--out', res_c], timeout=20)
    srv.wait(20)
    if cli.returncode or srv.returncode:
        raise RuntimeError('simclose roles failed')
    time.sleep(0.2)
    cr, sr = json.load(open(res_c)), json.load(open(res_s))
    ss = {r: ss_snapshot(NS[r]) for r in ('client', 'server')}
    st_c = ss_state_of(ss['client'], ep(C4, lport), ep(S4, port))
    st_s = ss_state_of(ss['server'], ep(S4, port), ep(C4, lport))
    if not (st_c == 'TIME-WAIT' and st_s == 'TIME-WAIT'):
        print(f'attempt {args.attempt}: client {st_c}, server {st_s} (skew {cr["fin_at_ns"] - sr["fin_at_ns"]} ns)',
              file=sys.stderr)
        sys.exit(3)
    run.step(f'client 10.0.1.2:{lport} <-> 10.0.2.2:{port}: 100 bytes up, 200 bytes down')
    run.step('both processes spin until the same CLOCK_MONOTONIC instant and call shutdown(SHUT_WR): '
             f'client at {cr["fin_at_ns"]} ns, server at {sr["fin_at_ns"]} ns '
             f'(skew {cr["fin_at_ns"] - sr["fin_at_ns"]} ns); both FINs left before either arrived')
    run.step('each side is FIN-WAIT-1, receives a FIN that does not ACK its own FIN -> CLOSING, '
             'then the ACK of its FIN -> TIME-WAIT: both ends in TIME-WAIT (ss confirms)')
    run.data['tcp'].append(tcp_conn(
        'c1', (C4, lport), (S4, port), 'simultaneous', 'TIME-WAIT', 'TIME-WAIT', 100, 200, 'SF',
        'both sides sent FIN, both FINs ACKed', attempt=int(args.attempt or 1),
        simultaneous={'client_shutdown_mono_ns': cr['fin_at_ns'], 'server_shutdown_mono_ns': sr['fin_at_ns'],
                      'skew_ns': cr['fin_at_ns'] - sr['fin_at_ns'], 'target_mono_ns': cr['target_ns'],
                      'attempts_needed': int(args.attempt or 1)}))
    run.kernel_end()


def role_simclose(args):
    out = {}
    if args.role == 'simclose-server':
        ls = socket.socket(A4, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((S4, args.port))
        ls.listen(4)
        print('ready', flush=True)
        ls.settimeout(15)
        c, _ = ls.accept()
        hdr = recv_exact(c, len(REQ))
        # LAB_SIMCLOSE_SKEW_NS delays the server's shutdown (only to test the retry path)
        target = int(hdr.split(b'@')[1].split(b'@')[0]) + int(os.environ.get('LAB_SIMCLOSE_SKEW_NS', '0'))
        c.sendall(RESP)
    else:
        c = socket.socket(A4, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(('0.0.0.0', args.lport))
        c.connect((S4, args.port))
        target = time.monotonic_ns() + 150_000_000
        msg = b'@%d@' % target
        c.sendall(msg + REQ[len(msg):])
        recv_exact(c, len(RESP))
    while time.monotonic_ns() < target:
        pass
    c.shutdown(socket.SHUT_WR)
    out['fin_at_ns'] = time.monotonic_ns()
    out['target_ns'] = target
    c.settimeout(5)
    recv_all(c)
    time.sleep(0.1)
    c.close()
    with open(args.out, 'w') as f:
        json.dump(out, f)


SCENARIOS = {
    'http-keepalive': sc_http_keepalive,
    'ipv6-http': sc_ipv6_http,
    'close-client-first': sc_close_client_first,
    'close-server-first': sc_close_server_first,
    'close-simultaneous': sc_close_simultaneous,
    'refused': sc_refused,
    'abortive-close': sc_abortive_close,
    'half-close': sc_half_close,
    'timewait-reuse': sc_timewait_reuse,
    'backlog-overflow': sc_backlog_overflow,
    'backlog-abort': sc_backlog_abort,
    'syncookies': sc_syncookies,
    'loss-retransmit': sc_loss_retransmit,
    'nat': sc_nat,
    'sll2-any': sc_sll2_any,
    'nanosecond': sc_nanosecond,
    'pcapng-multi': sc_pcapng_multi,
    'vlan': sc_vlan,
    'http-pipelined': sc_http_pipelined,
    'http-chunked': sc_http_chunked,
    'http-large-loss': sc_http_large_loss,
    'http-misc': sc_http_misc,
    'http-upgrade': sc_http_upgrade,
    'http-hostile': sc_http_hostile,
}


def cmd_run(args):
    roles = ['client', 'router', 'server']
    if args.scenario == 'nat':
        roles = ['client', 'client2', 'router', 'server']
    run = Run(args.scenario, args.work, roles)
    SCENARIOS[args.scenario](run, args)
    run.save()


# =============================================================================================
# prime, offloads, vlan switch


def cmd_prime(args):
    fam = A6 if ':' in args.addr else A4
    P.ping(fam, args.addr, count=1, ident=0x7072)  # 'pr'


def cmd_offloads(args):
    for i in args.ifaces:
        print(i, labnet.offloads_off(i))


SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID, PACKET_OUTGOING = 263, 8, 0x10, 4


def cmd_vlan_switch(args):
    """Bridge access<->trunk pairs, pushing/popping an 802.1Q tag (for kernels without 8021q)."""
    tci = (args.pcp << 13) | args.vid
    socks, peer, role = {}, {}, {}
    for pair in args.pairs:
        acc, trunk = pair.split(':')
        for name in (acc, trunk):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            s.bind((name, 0))
            socks[name] = s
        peer[acc], peer[trunk] = trunk, acc
        role[acc], role[trunk] = 'access', 'trunk'
    by_fd = {s.fileno(): n for n, s in socks.items()}
    counts = {'tagged': 0, 'untagged': 0, 'ignored': 0}
    while True:
        r, _, _ = select.select(list(socks.values()), [], [], 1.0)
        for s in r:
            name = by_fd[s.fileno()]
            data, anc, _flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
            if addr[2] == PACKET_OUTGOING:
                continue
            vlan = None
            for lvl, typ, cd in anc:
                if lvl == SOL_PACKET and typ == PACKET_AUXDATA:
                    st, _l, _sn, _m, _n, vtci, _tpid = struct.unpack('IIIHHHH', cd[:20])
                    if st & TP_STATUS_VLAN_VALID:
                        vlan = vtci
            if vlan is None and data[12:14] == b'\x81\x00':
                vlan = struct.unpack('!H', data[14:16])[0]
                data = data[:12] + data[16:]
            out = socks[peer[name]]
            if role[name] == 'access':
                if vlan is not None:
                    counts['ignored'] += 1
                    continue
                out.send(data[:12] + struct.pack('!HH', 0x8100, tci) + data[12:])
                counts['tagged'] += 1
            else:
                if vlan is None or (vlan & 0x0FFF) != args.vid:
                    counts['ignored'] += 1
                    continue
                out.send(data)
                counts['untagged'] += 1


# =============================================================================================
# finalize: run.json + capture metadata -> fixtures


def tool_versions():
    v = subprocess.run(['tcpdump', '--version'], capture_output=True, text=True).stdout.splitlines()
    return {
        'kernel': os.uname().release,
        'tcpdump': v[0].replace('tcpdump version ', '') if v else None,
        'libpcap': v[1].split(' (')[0].replace('libpcap version ', '') if len(v) > 1 else None,
        'python': sys.version.split()[0],
        'iproute2': subprocess.run(['ip', '-V'], capture_output=True, text=True).stdout.strip(),
        'nft': subprocess.run(['nft', '--version'], capture_output=True, text=True).stdout.strip(),
    }


def capture_meta(work, label):
    cmd = open(os.path.join(work, f'cap-{label}.cmd')).read().strip()
    ns, ifc, path = open(os.path.join(work, f'cap-{label}.where')).read().split('\n')[:3]
    err = open(os.path.join(work, f'cap-{label}.err')).read()
    link = [ln.split('link-type ', 1)[1].split(',')[0] for ln in err.splitlines() if 'link-type' in ln]
    stats = {}
    for ln in err.splitlines():
        f = ln.split()
        if 'packets captured' in ln:
            stats['captured'] = stats.get('captured', 0) + int(f[0])
        elif 'received by filter' in ln:
            stats['received_by_filter'] = stats.get('received_by_filter', 0) + int(f[0])
        elif 'dropped by kernel' in ln:
            stats['dropped_by_kernel'] = stats.get('dropped_by_kernel', 0) + int(f[0])
    role = {v: k for k, v in NS.items()}
    return {
        'where': {'host': '+'.join(role.get(x, x) for x in ns.split('+')), 'interface': ifc},
        'command': cmd.replace('<' + ns + '>', ns),
        'link_types': sorted(set(link)),
        'timestamp_precision': 'nano' if 'nano' in cmd else 'micro',
        'tcpdump_stats': stats,
        'path': path,
    }


def cmd_finalize(args):
    import hashlib
    import shutil

    run = json.load(open(os.path.join(args.work, 'run.json')))
    pairs = list(zip(args.items[0::2], args.items[1::2]))
    env = tool_versions()
    env['date'] = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(run['started_at']))
    for fixture, label in pairs:
        cap = capture_meta(args.work, label)
        st = cap['tcpdump_stats']
        if st.get('dropped_by_kernel') or st.get('captured') != st.get('received_by_filter'):
            raise RuntimeError(f'{fixture}: tcpdump lost packets {st}; not writing an incomplete capture')
        ext = '.pcapng' if cap['path'].endswith('.pcapng') else '.pcap'
        dst = os.path.join(args.out, fixture + ext)
        shutil.copyfile(cap['path'], dst)
        data = open(dst, 'rb').read()
        cap['command'] = cap['command'].replace(cap.pop('path'), fixture + ext)
        if label in run.get('capture_views', {}):
            cap['view'] = run['capture_views'][label]
        cap['file'] = fixture + ext
        cap['format'] = ext[1:]
        cap['file_bytes'] = len(data)
        cap['sha256'] = hashlib.sha256(data).hexdigest()
        truth = {
            'schema': TRUTH_SCHEMA,
            'fixture': fixture,
            'scenario': run['scenario'],
            'summary': SUMMARY.get(fixture, ''),
            'capture': cap,
            'environment': env,
            'story': run['story'],
        }
        for k in ('tcp', 'udp', 'icmp', 'hostile', 'arp', 'nd', 'nat', 'vlan', 'neighbours_end', 'kernel', 'sysctls',
                  'topology', 'notes'):
            if k in run and run[k] not in (None, [], {}):
                truth[k] = run[k]
        truth['run'] = {'started_at': run['started_at'], 'ended_at': run['ended_at']}
        stops = run.get('capture_stop', {})
        if stops:  # a merged capture: the later of its parts
            truth['run']['capture_stopped_at'] = stops.get(label, max(stops.values()))
        write_json(os.path.join(args.out, fixture + '.truth.json'), truth)
        print(f'wrote {dst} ({cap["tcpdump_stats"].get("captured")} packets)')
    import readme

    readme.write(args.out)


def cmd_check(args):
    """Quality check of the fixtures (reads the captures, so it never feeds a truth file): no packet
    may be later than the kernel snapshot the truth describes (kernel.ss_end_at), and tcpdump must
    have captured everything its filter received."""
    import glob

    bad = 0
    for tp in sorted(glob.glob(os.path.join(args.out, '*.truth.json'))):
        t = json.load(open(tp))
        cap = os.path.join(args.out, t['capture']['file'])
        # tshark, not tcpdump: tcpdump cannot read a pcapng whose interfaces have different link types
        out = subprocess.run(['tshark', '-n', '-r', cap, '-T', 'fields', '-E', 'separator=/s', '-e', 'frame.time_epoch',
                              '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'],
                             capture_output=True, text=True).stdout
        lines = [ln for ln in out.splitlines() if ln.strip()]
        ss_at = t.get('kernel', {}).get('ss_end_at')
        st = t['capture']['tcpdump_stats']
        problems = []
        if st.get('captured') != st.get('received_by_filter') or st.get('dropped_by_kernel'):
            problems.append(f'tcpdump stats {st}')
        if len(lines) != st.get('captured'):
            problems.append(f'{len(lines)} packets in the file, tcpdump said {st.get("captured")}')
        if ss_at is None:
            problems.append('no kernel.ss_end_at (made before the capture was stopped at the snapshot)')
        else:
            late = [ln for ln in lines if float(ln.split()[0]) > ss_at]
            if late:
                problems.append(f'{len(late)} packet(s) after the snapshot at {ss_at}: ' + ' | '.join(late[:3]))
        for c in t.get('tcp', []):
            if 'loss' in c:  # a lost segment's retransmission must arrive after later segments
                sport = c['server'].rsplit(':', 1)[1]
                rows = subprocess.run(['tshark', '-n', '-r', cap, '-Y', f'tcp.srcport=={sport} and tcp.len>0', '-T',
                                       'fields', '-e', 'tcp.seq', '-e', 'tcp.len'], capture_output=True,
                                      text=True).stdout.split()
                top, late = 0, 0
                for seq, n in zip(rows[0::2], rows[1::2]):
                    late += int(seq) < top
                    top = max(top, int(seq) + int(n))
                if not late:
                    problems.append(f'{c["id"]}: no segment arrived after segments with higher sequence numbers')
        last = float(lines[-1].split()[0]) if lines else None
        gap = f'{ss_at - last:.3f}s' if ss_at and last else '-'
        print(f'{t["fixture"]:20} {len(lines):4} packets, last packet {gap} before the snapshot: '
              f'{"; ".join(problems) if problems else "ok"}')
        bad += bool(problems)
    sys.exit(1 if bad else 0)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run')
    r.add_argument('scenario', choices=sorted(SCENARIOS))
    r.add_argument('--work', required=True)
    r.add_argument('--attempt')
    f = sub.add_parser('finalize')
    f.add_argument('--work', required=True)
    f.add_argument('--out', required=True)
    f.add_argument('items', nargs='+')
    o = sub.add_parser('offloads-off')
    o.add_argument('ifaces', nargs='+')
    p = sub.add_parser('prime')
    p.add_argument('addr')
    v = sub.add_parser('vlan-switch')
    v.add_argument('--vid', type=int, required=True)
    v.add_argument('--pcp', type=int, default=0)
    v.add_argument('pairs', nargs='+')
    ro = sub.add_parser('role')
    ro.add_argument('role', choices=['simclose-server', 'simclose-client'])
    ro.add_argument('--port', type=int, required=True)
    ro.add_argument('--lport', type=int)
    ro.add_argument('--out', required=True)
    ck = sub.add_parser('check')
    ck.add_argument('--out', required=True)
    rd = sub.add_parser('readme')
    rd.add_argument('--out', required=True)
    a = ap.parse_args()
    if a.cmd == 'run':
        cmd_run(a)
    elif a.cmd == 'finalize':
        cmd_finalize(a)
    elif a.cmd == 'offloads-off':
        cmd_offloads(a)
    elif a.cmd == 'prime':
        cmd_prime(a)
    elif a.cmd == 'vlan-switch':
        cmd_vlan_switch(a)
    elif a.cmd == 'role':
        role_simclose(a)
    elif a.cmd == 'check':
        cmd_check(a)
    elif a.cmd == 'readme':
        import readme

        readme.write(a.out)


if __name__ == '__main__':
    main()
