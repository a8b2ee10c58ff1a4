"""Tiny, deterministic application peers for the lab: HTTP/1.1 server and client, a DNS
responder and a query, ICMP echo. Every byte is fixed by this file (no Date header, no random
ids), and every peer records what it did: ports from getsockname(), bytes sent/received,
statuses, body sizes, who closed first, wall-clock timings.
"""

import socket
import struct
import threading
import time

from labnet import now

# ---------------------------------------------------------------------------------------------
# HTTP content

INDEX_HTML = (
    b'<!doctype html>\n<html><head><title>wirelens lab</title></head>\n'
    b'<body><h1>wirelens lab server</h1>\n'
    b'<p>This page is served by scripts/lab/protocols.py inside the server network namespace.</p>\n'
    b'<p>Every byte is fixed so that captures are reproducible.</p>\n'
    b'</body></html>\n'
)
CHUNKS = [b'first chunk: ' + b'a' * 51, b'second chunk: ' + b'b' * 114, b'third chunk: ' + b'c' * 19]
BIG_SIZE = 300 * 1024


def big_body(size=BIG_SIZE):
    line = b'wirelens lab bulk payload, line %06d, 0123456789abcdefghijklmnopqrstuvwxyz\n'
    out = bytearray()
    i = 0
    while len(out) < size:
        out += line % i
        i += 1
    return bytes(out[:size])


def post_body():
    return b'{"name":"wirelens","scenario":"lab","values":[1,2,3,5,8,13,21,34,55,89]}'


def _response(status, reason, body, *, chunks=None, close=False, ctype='text/plain; charset=utf-8'):
    head = [f'HTTP/1.1 {status} {reason}', 'Server: wirelens-lab/1', f'Content-Type: {ctype}']
    if chunks is not None:
        head.append('Transfer-Encoding: chunked')
        wire_body = b''.join(b'%x\r\n%s\r\n' % (len(c), c) for c in chunks) + b'0\r\n\r\n'
        body = b''.join(chunks)
    else:
        head.append(f'Content-Length: {len(body)}')
        wire_body = body
    if close:
        head.append('Connection: close')
    return ('\r\n'.join(head) + '\r\n\r\n').encode() + wire_body, len(body)


def route(method, path, body):
    """-> (status, response bytes, decoded body length, transfer)"""
    if method == 'GET' and path in ('/', '/index.html'):
        r, n = _response(200, 'OK', INDEX_HTML, ctype='text/html; charset=utf-8')
        return 200, r, n, 'content-length'
    if method == 'GET' and path == '/chunked':
        r, n = _response(200, 'OK', b'', chunks=CHUNKS)
        return 200, r, n, 'chunked'
    if method == 'GET' and path == '/big':
        r, n = _response(200, 'OK', big_body(), ctype='application/octet-stream')
        return 200, r, n, 'content-length'
    if method == 'POST' and path == '/submit':
        r, n = _response(201, 'Created', b'stored %d bytes\n' % len(body))
        return 201, r, n, 'content-length'
    r, n = _response(404, 'Not Found', b'no such resource: ' + path.encode() + b'\n')
    return 404, r, n, 'content-length'


def _with_close(resp_bytes):
    head, sep, rest = resp_bytes.partition(b'\r\n\r\n')
    return head + b'\r\nConnection: close' + sep + rest


# ---------------------------------------------------------------------------------------------
# HTTP server: thread per connection, logs everything it did


class HttpServer:
    def __init__(self, family, addr, port, backlog=16):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, port))
        self.sock.listen(backlog)
        self.conns = []
        self.lock = threading.Lock()
        self.threads = []
        self.stopping = False

    def serve_forever(self):
        self.sock.settimeout(0.2)
        while not self.stopping:
            try:
                c, peer = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            rec = {
                'accepted_at': now(),
                'local': c.getsockname()[:2],
                'peer': peer[:2],
                'requests': [],
                'bytes_in': 0,
                'bytes_out': 0,
                'closed_first_by': None,
            }
            with self.lock:
                self.conns.append(rec)
            t = threading.Thread(target=self._handle, args=(c, rec), daemon=True)
            t.start()
            self.threads.append(t)

    def _handle(self, c, rec):
        buf = b''
        c.settimeout(10)
        try:
            while True:
                while b'\r\n\r\n' not in buf:
                    d = c.recv(65536)
                    if not d:
                        rec['closed_first_by'] = rec['closed_first_by'] or 'client'
                        rec['eof_at'] = now()
                        return
                    rec['bytes_in'] += len(d)
                    buf += d
                head, _, buf = buf.partition(b'\r\n\r\n')
                lines = head.decode('latin-1').split('\r\n')
                method, path, _version = lines[0].split(' ', 2)
                hdrs = {}
                for ln in lines[1:]:
                    k, _, v = ln.partition(':')
                    hdrs[k.strip().lower()] = v.strip()
                clen = int(hdrs.get('content-length', '0'))
                while len(buf) < clen:
                    d = c.recv(65536)
                    if not d:
                        raise ConnectionError('EOF inside request body')
                    rec['bytes_in'] += len(d)
                    buf += d
                body, buf = buf[:clen], buf[clen:]
                status, resp, blen, transfer = route(method, path, body)
                close = hdrs.get('connection', '').lower() == 'close'
                if close:
                    resp = _with_close(resp)
                if path == '/big':
                    # the last 100 bytes go out alone after a pause, so that loss-retransmit can drop
                    # exactly that tail segment (IP total length 152) and show how it is recovered
                    c.sendall(resp[:-100])
                    time.sleep(0.3)
                    c.sendall(resp[-100:])
                else:
                    c.sendall(resp)
                rec['bytes_out'] += len(resp)
                rec['requests'].append({
                    'method': method,
                    'uri': path,
                    'request_body_bytes': clen,
                    'status': status,
                    'response_body_bytes': blen,
                    'transfer': transfer,
                    'response_bytes': len(resp),
                    'answered_at': now(),
                })
                if close:
                    rec['closed_first_by'] = 'server'
                    rec['server_close_at'] = now()
                    c.close()  # FIN right after the response; the client's FIN reaches an orphan
                    return
        except (OSError, ConnectionError, ValueError) as e:
            rec['error'] = repr(e)
        finally:
            try:
                c.close()
            except OSError:
                pass
            rec['closed_at'] = now()

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(5)
        self.sock.close()


# ---------------------------------------------------------------------------------------------
# HTTP client


def _read_response(sock, buf):
    """Read one response. -> (status, body_len, transfer, consumed_wire_bytes, rest_buf, close)"""
    total = 0

    def more():
        nonlocal buf, total
        d = sock.recv(65536)
        if not d:
            raise ConnectionError('EOF inside response')
        total += len(d)
        buf += d

    while b'\r\n\r\n' not in buf:
        more()
    head, _, buf = buf.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split(' ')[1])
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(':')
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get('transfer-encoding', '').lower() == 'chunked':
        body_len = 0
        while True:
            while b'\r\n' not in buf:
                more()
            size_line, _, buf = buf.partition(b'\r\n')
            size = int(size_line.split(b';')[0], 16)
            while len(buf) < size + 2:
                more()
            body_len += size
            buf = buf[size + 2 :]
            if size == 0:
                break
        transfer = 'chunked'
    else:
        n = int(hdrs.get('content-length', '0'))
        while len(buf) < n:
            more()
        buf = buf[n:]
        body_len, transfer = n, 'content-length'
    return status, body_len, transfer, total, buf, hdrs.get('connection', '').lower() == 'close'


class HttpClient:
    """One TCP connection; records ports, bytes, per-request timings, close order."""

    def __init__(self, family, server, port, local_port=0, local_addr=None, reuse=False):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if reuse:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if local_port or local_addr:
            self.sock.bind((local_addr or ('::' if family == socket.AF_INET6 else '0.0.0.0'), local_port))
        self.sock.settimeout(10)
        self.rec = {'connect_start': now()}
        self.sock.connect((server, port))
        self.rec['established_at'] = now()
        self.rec['local'] = self.sock.getsockname()[:2]
        self.rec['peer'] = self.sock.getpeername()[:2]
        self.rec.update({'bytes_out': 0, 'bytes_in': 0, 'requests': [], 'closed_first_by': None})
        self.buf = b''
        self.peer_closed = False

    def request(self, method, path, body=b'', close=False, host='server.lab.example'):
        head = [f'{method} {path} HTTP/1.1', f'Host: {host}', 'User-Agent: wirelens-lab-client/1', 'Accept: */*']
        if body:
            head += ['Content-Type: application/json', f'Content-Length: {len(body)}']
        if close:
            head.append('Connection: close')
        req = ('\r\n'.join(head) + '\r\n\r\n').encode() + body
        t0 = now()
        self.sock.sendall(req)
        self.rec['bytes_out'] += len(req)
        status, blen, transfer, wire, self.buf, conn_close = _read_response(self.sock, self.buf)
        self.rec['bytes_in'] += wire
        r = {
            'method': method,
            'uri': path,
            'request_body_bytes': len(body),
            'status': status,
            'response_body_bytes': blen,
            'transfer': transfer,
            'request_bytes': len(req),
            'sent_at': t0,
            'completed_at': now(),
        }
        self.rec['requests'].append(r)
        if conn_close:
            self.rec['server_said_close'] = True
        return r

    def close_first(self):
        """We close first (FIN from us), then drain until the server's FIN."""
        self.rec['closed_first_by'] = 'client'
        self.rec['close_at'] = now()
        self.sock.shutdown(socket.SHUT_WR)
        self._drain()
        self.sock.close()
        self.rec['closed_at'] = now()

    def wait_server_close(self):
        """The server closes first: read its FIN, then close ours."""
        self._drain()
        self.rec['closed_first_by'] = 'server'
        self.rec['peer_fin_at'] = now()
        self.sock.close()
        self.rec['closed_at'] = now()

    def _drain(self):
        while True:
            d = self.sock.recv(65536)
            if not d:
                return
            self.rec['bytes_in'] += len(d)


# ---------------------------------------------------------------------------------------------
# DNS: one A query, one answer, bytes built by hand (RFC 1035 section 4)

DNS_QUERY_ID = 0x4C41
DNS_NAME = 'www.lab.example'


def dns_name(name):
    return b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\x00'


def dns_query(qid=DNS_QUERY_ID, name=DNS_NAME, qtype=1):
    return struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack('!HH', qtype, 1)


def dns_answer(query, addr_for):
    """Answer an A (or AAAA) query with one record; NXDOMAIN for unknown names."""
    qid, _flags, qd = struct.unpack('!HHH', query[:6])
    # walk the question name
    i = 12
    labels = []
    while query[i] != 0:
        n = query[i]
        labels.append(query[i + 1 : i + 1 + n].decode('ascii', 'replace'))
        i += 1 + n
    i += 1
    qtype, qclass = struct.unpack('!HH', query[i : i + 4])
    question = query[12 : i + 4]
    name = '.'.join(labels)
    rdata = addr_for(name, qtype)
    if rdata is None:
        return struct.pack('!HHHHHH', qid, 0x8183, qd, 0, 0, 0) + question, name, qtype, None
    ans = struct.pack('!HHHIH', 0xC00C, qtype, qclass, 300, len(rdata)) + rdata
    return struct.pack('!HHHHHH', qid, 0x8180, qd, 1, 0, 0) + question + ans, name, qtype, rdata


class DnsServer:
    def __init__(self, family, addr, records, port=53):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((addr, port))
        self.sock.settimeout(0.2)
        self.records = records
        self.log = []
        self.stopping = False

    def addr_for(self, name, qtype):
        return self.records.get((name, qtype))

    def serve_forever(self):
        while not self.stopping:
            try:
                q, peer = self.sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                break
            resp, name, qtype, rdata = dns_answer(q, self.addr_for)
            self.sock.sendto(resp, peer)
            self.log.append({
                'peer': peer[:2],
                'local': self.sock.getsockname()[:2],
                'query_bytes': len(q),
                'response_bytes': len(resp),
                'qname': name,
                'qtype': qtype,
                'answered': rdata is not None,
                'at': now(),
            })

    def stop(self):
        self.stopping = True
        time.sleep(0.3)
        self.sock.close()


def dns_ask(family, server, local_port, name=DNS_NAME, qtype=1, qid=DNS_QUERY_ID, local_addr=None):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((local_addr or ('::' if family == socket.AF_INET6 else '0.0.0.0'), local_port))
    s.settimeout(3)
    s.connect((server, 53))  # so that getsockname() reports the real source address
    q = dns_query(qid, name, qtype)
    t0 = now()
    s.send(q)
    resp = s.recv(2048)
    peer = s.getpeername()
    rec = {
        'local': s.getsockname()[:2],
        'server': peer[:2],
        'query_bytes': len(q),
        'response_bytes': len(resp),
        'qname': name,
        'qtype': {1: 'A', 28: 'AAAA'}.get(qtype, qtype),
        'id': qid,
        'rcode': resp[3] & 0x0F,
        'answers': struct.unpack('!H', resp[6:8])[0],
        'sent_at': t0,
        'answered_at': now(),
    }
    s.close()
    return rec


# ---------------------------------------------------------------------------------------------
# ICMP echo (there is no ping binary here, and a fixed payload is nicer anyway)

PING_ID = 0x574C  # 'WL'
PING_PAYLOAD = bytes(range(0x20, 0x20 + 56))


def _csum(b):
    if len(b) % 2:
        b += b'\x00'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ping(family, dst, count=3, interval=0.2, ident=PING_ID):
    v6 = family == socket.AF_INET6
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    s = socket.socket(family, socket.SOCK_RAW, proto)
    s.settimeout(2)
    req_type, rep_type = (128, 129) if v6 else (8, 0)
    out = []
    for seq in range(1, count + 1):
        hdr = struct.pack('!BBHHH', req_type, 0, 0, ident, seq)
        pkt = hdr + PING_PAYLOAD
        if not v6:  # the kernel fills in the ICMPv6 checksum itself
            pkt = struct.pack('!BBHHH', req_type, 0, _csum(pkt), ident, seq) + PING_PAYLOAD
        t0 = time.time()
        s.sendto(pkt, (dst, 0))
        got = None
        while got is None:
            data, _ = s.recvfrom(4096)
            icmp = data if v6 else data[(data[0] & 0x0F) * 4 :]
            t, _c, _k, i, q = struct.unpack('!BBHHH', icmp[:8])
            if t == rep_type and i == ident and q == seq:
                got = time.time()
        out.append({'seq': seq, 'sent_at': round(t0, 6), 'rtt_ms': round((got - t0) * 1000, 3)})
        time.sleep(interval)
    s.close()
    return {'dst': dst, 'id': ident, 'count': count, 'received': len(out), 'payload_bytes': len(PING_PAYLOAD),
            'echoes': out}
