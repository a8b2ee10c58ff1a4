"""Raw HTTP/1.x peers for the lab's http-* scenarios (python stdlib only).

Every byte on the wire is written here by hand, so that the captures show exactly what a scenario
wants (pipelined requests in one write, chunk extensions and trailers, 100-continue, bodies framed
by the connection close, upgrades, CONNECT tunnels, hostile bytes). Both peers log what they sent
and what they read; the truth files are built from those logs, never from the capture.

Vocabulary used in the logs (and in the truth files):
  transfer  how a message body is delimited (RFC 9112 section 6.3): 'content-length', 'chunked',
            'close' (read until the server closes), 'none' (no body by rule: HEAD, 1xx, 204, 304,
            101, 2xx to CONNECT; or a request without Content-Length/Transfer-Encoding)
  *_body_bytes  body bytes after de-chunking, before any content decoding (gzip)
  request_bytes / response_bytes  bytes on the wire for that message, head and framing included
"""

import base64
import bisect
import hashlib
import select
import socket
import struct
import threading

from labnet import now

CRLF = b'\r\n'
WS_GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


class Stream:
    """A TCP socket with a receive buffer that remembers when each byte arrived."""

    def __init__(self, sock):
        self.sock = sock
        self.rx = bytearray()  # every byte received so far
        self.pos = 0  # next unread byte
        self.ends, self.times = [], []  # end offset and arrival time of each recv()
        self.eof_at = None
        self.bytes_out = 0

    @property
    def bytes_in(self):
        return len(self.rx)

    def fill(self):
        d = self.sock.recv(262144)
        t = now()
        if not d:
            self.eof_at = self.eof_at or t
            raise EOFError('peer closed')
        self.rx += d
        self.ends.append(len(self.rx))
        self.times.append(t)
        return len(d)

    def at(self, offset):
        """Wall-clock time at which the byte at `offset` had arrived."""
        i = bisect.bisect_right(self.ends, offset)
        return self.times[i] if i < len(self.times) else None

    def until(self, delim):
        while True:
            i = self.rx.find(delim, self.pos)
            if i >= 0:
                out = bytes(self.rx[self.pos : i + len(delim)])
                self.pos = i + len(delim)
                return out
            self.fill()

    def exact(self, n):
        while len(self.rx) - self.pos < n:
            self.fill()
        out = bytes(self.rx[self.pos : self.pos + n])
        self.pos += n
        return out

    def to_eof(self):
        try:
            while True:
                self.fill()
        except EOFError:
            pass
        out = bytes(self.rx[self.pos :])
        self.pos = len(self.rx)
        return out

    def buffered(self):
        return len(self.rx) - self.pos

    def send(self, data):
        self.sock.sendall(data)
        self.bytes_out += len(data)


# ---------------------------------------------------------------------------------------------
# message syntax


def parse_head(head):
    """b'start line\\r\\nName: value\\r\\n...\\r\\n\\r\\n' -> (start line, [(name, value)])"""
    lines = head[:-4].split(CRLF)
    hdrs = []
    for ln in lines[1:]:
        name, _, value = ln.partition(b':')
        hdrs.append((name, value.strip(b' \t')))
    return lines[0], hdrs


def hget(hdrs, name):
    for n, v in hdrs:
        if n.lower() == name.lower():
            return v
    return None


def head_bytes(start, headers):
    return start + CRLF + b''.join(n + b': ' + v + CRLF for n, v in headers) + CRLF


def chunked_body(chunks, trailers=()):
    """chunks: [(size line, data)]; a size line is the chunk size in hex, possibly with leading zeros
    or upper case, and chunk extensions (b'1A;name=value'). -> wire bytes of the chunked body"""
    out = b''
    for line, data in chunks:
        assert int(line.split(b';')[0], 16) == len(data), (line, len(data))
        out += line + CRLF + data + CRLF
    return out + b'0' + CRLF + b''.join(n + b': ' + v + CRLF for n, v in trailers) + CRLF


def chunk_log(chunks):
    """[(size line, data)] -> the truth's chunk list, the last chunk (size 0) included."""
    return [{'size': len(d), 'size_line': line.decode('latin-1'),
             'extensions': line.partition(b';')[2].decode('latin-1') or None}
            for line, d in [*chunks, (b'0', b'')]]


def read_chunked(st):
    """-> (body, [{size, size_line, extensions}] (the last chunk too), [(name, value)] trailers)"""
    body, chunks = bytearray(), []
    while True:
        line = st.until(CRLF)[:-2]
        size = int(line.split(b';')[0].strip(), 16)
        chunks.append({'size': size, 'size_line': line.decode('latin-1'),
                       'extensions': line.partition(b';')[2].decode('latin-1') or None})
        if size == 0:
            break
        body += st.exact(size)
        if st.exact(2) != CRLF:
            raise ValueError('chunk data not followed by CRLF')
    trailers = []
    while True:
        line = st.until(CRLF)[:-2]
        if not line:
            break
        n, _, v = line.partition(b':')
        trailers.append((n, v.strip()))
    return bytes(body), chunks, trailers


def text(b):
    """bytes -> str for the truth file when that is exact (valid UTF-8), else None (see *_hex)."""
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------------------------------------
# client side


def read_response(st, method, interim_ok=True):
    """Read one response (and any 1xx interim responses before it) to a request with `method`."""
    first = st.pos
    interim = []
    while True:
        h0 = st.pos
        head = st.until(b'\r\n\r\n')
        start, hdrs = parse_head(head)
        version, status, reason = (start.split(b' ', 2) + [b''])[:3]
        status = int(status)
        if 100 <= status < 200 and status != 101 and interim_ok:
            interim.append({'status': status, 'reason': reason.decode('latin-1'), 'response_bytes': len(head),
                            'received_at': st.at(st.pos - 1)})
            continue
        break
    te = (hget(hdrs, b'transfer-encoding') or b'').lower()
    cl = hget(hdrs, b'content-length')
    chunks = trailers = None
    if method == b'HEAD' or status in (101, 204, 304) or 100 <= status < 200 or (
            method == b'CONNECT' and 200 <= status < 300):
        body, transfer = b'', 'none'
    elif te.endswith(b'chunked'):
        body, chunks, trailers = read_chunked(st)
        transfer = 'chunked'
    elif cl is not None:
        body, transfer = st.exact(int(cl)), 'content-length'
    else:
        body, transfer = st.to_eof(), 'close'
    done = st.eof_at if transfer == 'close' else st.at(st.pos - 1)
    r = {
        'version': version.decode('latin-1'),
        'status': status,
        'reason': reason.decode('latin-1'),
        'headers': hdrs,
        'transfer': transfer,
        'content_length_header': int(cl) if cl is not None else None,
        'body': body,
        'head_bytes': len(head),
        'response_bytes': st.pos - h0,  # the final response: head + framed body
        'interim': interim,
        'first_byte_at': st.at(first),
        'completed_at': done,
    }
    if chunks is not None:
        r['chunks'], r['trailers'] = chunks, trailers
    return r


class Client:
    """One client connection, bound to a fixed local port. Logs every transaction."""

    def __init__(self, family, server, port, local_port, local_addr=None):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((local_addr or ('::' if family == socket.AF_INET6 else '0.0.0.0'), local_port))
        self.sock.settimeout(10)
        self.rec = {'connect_start': now()}
        self.sock.connect((server, port))
        self.rec['established_at'] = now()
        self.rec['local'] = self.sock.getsockname()[:2]
        self.rec['peer'] = self.sock.getpeername()[:2]
        self.rec['transactions'] = []
        self.st = Stream(self.sock)

    def log(self, req, resp, **extra):
        """req: dict from request(); resp: dict from read_response()."""
        t = dict(req)
        t.update({
            'status': resp['status'],
            'reason': resp['reason'],
            'response_version': resp['version'],
            'transfer': resp['transfer'],
            'content_length_header': resp['content_length_header'],
            'response_body_bytes': len(resp['body']),
            'response_bytes': resp['response_bytes'],
            'interim_responses': resp['interim'],
            'first_byte_at': resp['first_byte_at'],
            'completed_at': resp['completed_at'],
        })
        enc = hget(resp['headers'], b'content-encoding')
        if enc:
            t['content_encoding'] = enc.decode('latin-1')
        if 'chunks' in resp:
            t['response_chunks'] = resp['chunks']
            t['response_trailers'] = [[n.decode('latin-1'), v.decode('latin-1')] for n, v in resp['trailers']]
        t.update(extra)
        t['_body'] = resp['body']
        self.rec['transactions'].append(t)
        return t

    def finish(self, who_first):
        """who_first='client': shutdown, drain to EOF, close; 'server': read EOF, then close."""
        if who_first == 'client':
            self.rec['close_at'] = now()
            self.sock.shutdown(socket.SHUT_WR)
        rest = self.st.to_eof()
        if rest:
            raise RuntimeError(f'{len(rest)} unexpected bytes before EOF')
        self.rec['peer_fin_at'] = self.st.eof_at
        self.sock.close()
        self.rec['closed_at'] = now()
        self.rec['closed_first_by'] = who_first
        self.rec['bytes_out'], self.rec['bytes_in'] = self.st.bytes_out, self.st.bytes_in


def request(method, target, headers, body=b'', *, chunks=None, trailers=(), version=b'HTTP/1.1'):
    """-> (wire bytes, log dict). headers: [(name, value)] in order; chunks: [(size line, data)]."""
    head = head_bytes(method + b' ' + target + b' ' + version, headers)
    if chunks is not None:
        wire_body = chunked_body(chunks, trailers)
        body = b''.join(d for _, d in chunks)
        transfer = 'chunked'
    else:
        wire_body = body
        transfer = 'content-length' if hget(headers, b'content-length') is not None else 'none'
    host = hget(headers, b'host')
    log = {
        'method': method.decode('latin-1'),
        'uri': text(target),
        'version': version.decode('latin-1'),
        'host': text(host) if host is not None else None,
        'request_head_bytes': len(head),
        'request_body_bytes': len(body),
        'request_transfer': transfer,
        'request_bytes': len(head) + len(wire_body),
    }
    if chunks is not None:
        log['request_chunks'] = chunk_log(chunks)
        log['request_trailers'] = [[n.decode('latin-1'), v.decode('latin-1')] for n, v in trailers]
    return head, wire_body, log


# ---------------------------------------------------------------------------------------------
# server side


def read_request_head(st):
    """-> dict, or None on a clean EOF between requests."""
    if st.buffered() == 0:
        try:
            st.fill()
        except EOFError:
            return None
    h0 = st.pos
    head = st.until(b'\r\n\r\n')
    start, hdrs = parse_head(head)
    method, target, version = start.split(b' ', 2)
    return {'method': method, 'target': target, 'version': version, 'headers': hdrs, 'head_bytes': len(head),
            'received_at': st.at(h0), 'offset': h0}


def read_request_body(st, req):
    te = (hget(req['headers'], b'transfer-encoding') or b'').lower()
    cl = hget(req['headers'], b'content-length')
    if te.endswith(b'chunked'):
        body, chunks, trailers = read_chunked(st)
        req.update(body=body, transfer='chunked', chunks=chunks, trailers=trailers)
    elif cl is not None:
        req.update(body=st.exact(int(cl)), transfer='content-length')
    else:
        req.update(body=b'', transfer='none')
    req['request_bytes'] = st.pos - req['offset']
    return req


def response(status, reason, headers, body=b'', *, chunks=None, trailers=(), version=b'HTTP/1.1'):
    """-> wire bytes of a response. With chunks, body is ignored and Transfer-Encoding is added."""
    start = version + b' ' + str(status).encode() + b' ' + reason
    if chunks is not None:
        return head_bytes(start, headers + [(b'Transfer-Encoding', b'chunked')]) + chunked_body(chunks, trailers)
    return head_bytes(start, headers) + body


class RawServer:
    """Listening socket; each connection runs handler(stream, rec) in its own thread. The handler
    returns when the server should close (or after it read the client's EOF); then we close."""

    def __init__(self, family, addr, port, handler, backlog=8):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, port))
        self.sock.listen(backlog)
        self.handler = handler
        self.conns, self.threads = [], []
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
            rec = {'accepted_at': now(), 'local': c.getsockname()[:2], 'peer': peer[:2], 'requests': []}
            self.conns.append(rec)
            t = threading.Thread(target=self._run, args=(c, rec), daemon=True)
            t.start()
            self.threads.append(t)

    def _run(self, c, rec):
        c.settimeout(10)
        st = Stream(c)
        try:
            self.handler(st, rec)
        except (OSError, EOFError, ValueError) as e:
            rec['error'] = repr(e)
        finally:
            rec['closed_first_by'] = 'client' if st.eof_at else 'server'
            rec['bytes_in'], rec['bytes_out'] = st.bytes_in, st.bytes_out
            rec['close_at'] = now()
            c.close()
            rec['done'] = True

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(5)
        self.sock.close()


def log_answer(rec, req, status, reason, transfer, body_len, wire, **extra):
    r = {'method': req['method'].decode('latin-1'), 'target_hex': req['target'].hex(),
         'request_body_bytes': len(req.get('body', b'')), 'request_transfer': req.get('transfer'),
         'request_bytes': req.get('request_bytes'), 'status': status, 'reason': reason.decode('latin-1'),
         'transfer': transfer, 'response_body_bytes': body_len, 'response_bytes': wire,
         'received_at': req['received_at'], 'answered_at': now()}
    r.update(extra)
    rec['requests'].append(r)
    return r


# ---------------------------------------------------------------------------------------------
# WebSocket frames (RFC 6455), just enough for a few messages


def ws_accept(key):
    return base64.b64encode(hashlib.sha1(key + WS_GUID).digest())


def ws_frame(opcode, payload, mask=None):
    assert len(payload) < 126
    b1 = (0x80 if mask else 0) | len(payload)
    if mask:
        payload = bytes(p ^ mask[i % 4] for i, p in enumerate(payload))
        return bytes([0x80 | opcode, b1]) + mask + payload
    return bytes([0x80 | opcode, b1]) + payload


def ws_read(st):
    b0, b1 = st.exact(2)
    n = b1 & 0x7F
    assert n < 126
    mask = st.exact(4) if b1 & 0x80 else None
    payload = st.exact(n)
    if mask:
        payload = bytes(p ^ mask[i % 4] for i, p in enumerate(payload))
    return {'opcode': b0 & 0x0F, 'fin': bool(b0 & 0x80), 'masked': mask is not None, 'payload': payload,
            'frame_bytes': 2 + (4 if mask else 0) + n}


WS_OPCODES = {1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong'}


def ws_log(frame, direction):
    p = frame['payload']
    return {'direction': direction, 'opcode': WS_OPCODES.get(frame['opcode'], frame['opcode']),
            'masked': frame['masked'], 'payload_bytes': len(p), 'frame_bytes': frame['frame_bytes'],
            'payload': text(p) if frame['opcode'] == 1 else p.hex(),
            **({'close_code': struct.unpack('!H', p[:2])[0]} if frame['opcode'] == 8 and len(p) >= 2 else {})}


# ---------------------------------------------------------------------------------------------
# a relay for the CONNECT proxy


def relay(st, up, rec):
    """Copy bytes both ways between the client stream and the upstream socket until both ends are
    done. The client's FIN is passed on as shutdown(SHUT_WR) upstream; the upstream's EOF ends it."""
    down = st.sock
    c2u = s2c = 0
    if st.buffered():
        data = st.exact(st.buffered())
        up.sendall(data)
        c2u += len(data)
    client_open = True
    while True:
        r, _, _ = select.select([down, up] if client_open else [up], [], [], 10)
        if not r:
            raise TimeoutError('tunnel idle for 10 s')
        if down in r:
            try:
                n = st.fill()
                data = st.exact(n)
                up.sendall(data)
                c2u += len(data)
            except EOFError:
                client_open = False
                up.shutdown(socket.SHUT_WR)
        if up in r:
            d = up.recv(65536)
            if not d:
                break
            st.send(d)
            s2c += len(d)
    rec['tunnel_bytes'] = {'client_to_upstream': c2u, 'upstream_to_client': s2c}
    if client_open:  # upstream ended first: wait for the client's FIN after ours? we close now
        rec['tunnel_ended_by'] = 'upstream'
    else:
        rec['tunnel_ended_by'] = 'client'
