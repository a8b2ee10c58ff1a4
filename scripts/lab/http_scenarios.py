"""Servers and clients of the http-* lab scenarios (what each side writes, byte for byte).

lab.py runs them in the namespaces and turns their logs into truth files. Nothing here reads a
capture. Client ports are fixed (40040-40046), so are all payloads.
"""

import gzip
import hashlib
import socket
import struct
import time
import zlib

from http1 import (
    Client,
    RawServer,
    hget,
    log_answer,
    read_request_body,
    read_request_head,
    read_response,
    relay,
    request,
    response,
    text,
    ws_accept,
    ws_frame,
    ws_log,
    ws_read,
)
from labnet import now

A4 = socket.AF_INET
S4 = '10.0.2.2'
HOST = b'server.lab.example'
UA = b'wirelens-lab-http1/1'
SERVER = (b'Server', b'wirelens-lab/1')


def std_headers(host=HOST, ua=UA, extra=()):
    return [(b'Host', host), (b'User-Agent', ua), (b'Accept', b'*/*'), *extra]


def body_text(n, tag):
    """n deterministic bytes of text: numbered lines naming the resource."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += b'%s line %05d: the quick brown fox jumps over the lazy dog 0123456789\n' % (tag, i)
        i += 1
    return bytes(out[:n])


def plain(status, reason, body, ctype=b'text/plain; charset=utf-8', extra=(), version=b'HTTP/1.1'):
    return response(status, reason, [SERVER, (b'Content-Type', ctype), (b'Content-Length', b'%d' % len(body)),
                                     *extra], body, version=version)


def serve_requests(st, rec, answer):
    """Keep-alive loop: read a request (head and body), let answer() respond; until EOF or answer()
    returns 'close'."""
    while True:
        req = read_request_head(st)
        if req is None:
            return
        read_request_body(st, req)
        if answer(st, rec, req) == 'close':
            return


# =============================================================================================
# http-pipelined: 5 requests in one write; the server reads all 5 before it answers the first

PIPE_REQUESTS = [(b'GET', b'/pipe/1'), (b'GET', b'/pipe/2'), (b'HEAD', b'/pipe/3'), (b'GET', b'/pipe/4'),
                 (b'GET', b'/pipe/5')]
PIPE_CHUNKS = [(b'40', body_text(64, b'pipe4-a')), (b'80', body_text(128, b'pipe4-b')),
               (b'20', body_text(32, b'pipe4-c'))]


def pipe_answer(st, rec, req):
    t = req['target']
    if t == b'/pipe/1':
        r, blen, tr = plain(200, b'OK', body_text(120, b'pipe1')), 120, 'content-length'
    elif t == b'/pipe/2':
        r, blen, tr = plain(200, b'OK', body_text(3000, b'pipe2')), 3000, 'content-length'
    elif t == b'/pipe/3':  # HEAD: the headers a GET would get, no body
        r = response(200, b'OK', [SERVER, (b'Content-Type', b'text/plain; charset=utf-8'),
                                  (b'Content-Length', b'3000')])
        blen, tr = 0, 'none'
    elif t == b'/pipe/4':
        r = response(200, b'OK', [SERVER, (b'Content-Type', b'text/plain; charset=utf-8')], chunks=PIPE_CHUNKS)
        blen, tr = sum(len(d) for _, d in PIPE_CHUNKS), 'chunked'
    else:
        msg = b'no such resource: ' + t + b'\n'
        r, blen, tr = plain(404, b'Not Found', msg), len(msg), 'content-length'
    st.send(r)
    s, reason = r.split(b'\r\n', 1)[0].split(b' ', 2)[1:]
    log_answer(rec, req, int(s), reason, tr, blen, len(r))


def pipe_server(st, rec):
    reqs = []
    while len(reqs) < len(PIPE_REQUESTS):
        req = read_request_head(st)
        if req is None:
            raise EOFError('client closed before sending every pipelined request')
        reqs.append(read_request_body(st, req))
    # every request of the pipeline was in our receive buffer before we wrote any response
    rec['requests_read_before_first_response'] = len(reqs)
    rec['request_recv_calls'] = len(st.ends)
    for req in reqs:
        pipe_answer(st, rec, req)
    serve_requests(st, rec, pipe_answer)


def pipe_client(port=40040):
    c = Client(A4, S4, 80, port)
    built = [request(m, t, std_headers()) for m, t in PIPE_REQUESTS]
    wire = b''.join(h + b for h, b, _ in built)
    t0 = now()
    c.st.send(wire)  # all five requests in one write: one segment
    c.rec['pipeline'] = {'requests': len(built), 'bytes': len(wire), 'writes': 1, 'written_at': t0}
    for (m, _), (_, _, log) in zip(PIPE_REQUESTS, built):
        log['sent_at'] = t0
        c.log(log, read_response(c.st, m), keep_alive=True)
    time.sleep(0.05)
    c.finish('client')
    return c.rec


# =============================================================================================
# http-chunked: chunk extensions, a trailer, a size line split across two writes, a chunked POST

EXT_CHUNKS = [
    (b'1A;name=value', body_text(26, b'ext-1')),
    (b'0010;quoted="a b;c"', body_text(16, b'ext-2')),  # leading zeros; a quoted ';' in the extension
    (b'100;flag', body_text(256, b'ext-3')),  # valueless extension; this size line is split in two writes
    (b'7;a=1;b=2', b'seven!\n'),
]
EXT_LAST = b'0;final=yes'
EXT_BODY = b''.join(d for _, d in EXT_CHUNKS)
EXT_TRAILERS = [(b'X-Checksum', b'sha256:' + hashlib.sha256(EXT_BODY).hexdigest().encode()),
                (b'X-Trailer-Note', b'all chunks sent')]
UPLOAD_CHUNKS = [(b'5;part=1', b'hello'), (b'13;part=2', b', chunked world!!\r\n'), (b'a', b'0123456789')]
UPLOAD_BODY = b''.join(d for _, d in UPLOAD_CHUNKS)
UPLOAD_TRAILERS = [(b'X-Upload-Checksum', b'crc32:%08x' % zlib.crc32(UPLOAD_BODY))]
BIG_CHUNKS = [(b'1388', body_text(5000, b'big-1')), (b'3E8;last', body_text(1000, b'big-2'))]


def chunk_wire(line, data):
    return line + b'\r\n' + data + b'\r\n'


def chunked_answer(st, rec, req):
    t = req['target']
    if t == b'/chunked/ext':
        head = response(200, b'OK', [SERVER, (b'Content-Type', b'text/plain; charset=utf-8'),
                                     (b'Trailer', b'X-Checksum, X-Trailer-Note'),
                                     (b'Transfer-Encoding', b'chunked')])
        c1, c2, c3, c4 = (chunk_wire(*c) for c in EXT_CHUNKS)
        last = EXT_LAST + b'\r\n' + b''.join(n + b': ' + v + b'\r\n' for n, v in EXT_TRAILERS) + b'\r\n'
        # written in pieces, 30 ms apart: head + chunk 1 | chunk 2 + the first 2 bytes of chunk 3's size
        # line ("10") | the rest of chunk 3 + chunk 4 | last chunk + trailer
        pieces = [head + c1, c2 + c3[:2], c3[2:] + c4, last]
        for i, p in enumerate(pieces):
            if i:
                time.sleep(0.03)
            st.send(p)
        wire = sum(len(p) for p in pieces)
        log_answer(rec, req, 200, b'OK', 'chunked', len(EXT_BODY), wire, writes=[len(p) for p in pieces])
    elif t == b'/chunked/upload':
        body = req['body']
        msg = b'stored %d bytes from %d chunks, trailer %s\n' % (
            len(body), len(req['chunks']) - 1, b', '.join(n for n, _ in req['trailers']))
        r = plain(201, b'Created', msg)
        st.send(r)
        log_answer(rec, req, 201, b'Created', 'content-length', len(msg), len(r),
                   request_chunk_sizes=[c['size'] for c in req['chunks']],
                   request_trailers=[[n.decode(), v.decode()] for n, v in req['trailers']])
    elif t == b'/chunked/big':
        r = response(200, b'OK', [SERVER, (b'Content-Type', b'text/plain; charset=utf-8')], chunks=BIG_CHUNKS)
        st.send(r)
        log_answer(rec, req, 200, b'OK', 'chunked', sum(len(d) for _, d in BIG_CHUNKS), len(r))
    else:
        r = plain(404, b'Not Found', b'no\n')
        st.send(r)
        log_answer(rec, req, 404, b'Not Found', 'content-length', 3, len(r))


def chunked_server(st, rec):
    # TCP_NODELAY on both sides: each write leaves at once as its own segment (no Nagle coalescing
    # while an earlier piece is unacknowledged), so the pieces below are the segments in the capture
    st.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    serve_requests(st, rec, chunked_answer)


def chunked_client(port=40041):
    c = Client(A4, S4, 80, port)
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    h, b, log = request(b'GET', b'/chunked/ext', std_headers(extra=[(b'TE', b'trailers')]))
    log['sent_at'] = now()
    c.st.send(h + b)
    c.log(log, read_response(c.st, b'GET'), keep_alive=True)
    time.sleep(0.02)
    # chunked request body: the head, then each chunk in its own write 30 ms apart, then the last
    # chunk with a trailer field
    hdrs = std_headers(extra=[(b'Content-Type', b'text/plain'), (b'Transfer-Encoding', b'chunked'),
                              (b'Trailer', b'X-Upload-Checksum')])
    h, b, log = request(b'POST', b'/chunked/upload', hdrs, chunks=UPLOAD_CHUNKS, trailers=UPLOAD_TRAILERS)
    log['sent_at'] = now()
    c.st.send(h)
    for line, data in UPLOAD_CHUNKS:
        time.sleep(0.03)
        c.st.send(chunk_wire(line, data))
    time.sleep(0.03)
    c.st.send(b'0\r\n' + b''.join(n + b': ' + v + b'\r\n' for n, v in UPLOAD_TRAILERS) + b'\r\n')
    log['request_writes'] = 2 + len(UPLOAD_CHUNKS)
    c.log(log, read_response(c.st, b'POST'), keep_alive=True)
    time.sleep(0.02)
    h, b, log = request(b'GET', b'/chunked/big', std_headers())
    log['sent_at'] = now()
    c.st.send(h + b)
    c.log(log, read_response(c.st, b'GET'), keep_alive=True)
    time.sleep(0.05)
    c.finish('client')
    return c.rec


# =============================================================================================
# http-large-loss: a 200 KiB body (Content-Length) with loss on the router, then a small request

LARGE_SIZE = 200 * 1024


def large_answer(st, rec, req):
    if req['target'] == b'/large':
        body = body_text(LARGE_SIZE, b'large')
        r = plain(200, b'OK', body, ctype=b'application/octet-stream')
    else:
        body = body_text(300, b'after')
        r = plain(200, b'OK', body)
    st.send(r)
    log_answer(rec, req, 200, b'OK', 'content-length', len(body), len(r))


def large_server(st, rec):
    serve_requests(st, rec, large_answer)


def large_client(port=40042):
    c = Client(A4, S4, 80, port)
    for target in (b'/large', b'/after'):
        h, b, log = request(b'GET', target, std_headers())
        log['sent_at'] = now()
        c.st.send(h + b)
        c.log(log, read_response(c.st, b'GET'), keep_alive=True)
        time.sleep(0.05)
    c.finish('client')
    return c.rec


# =============================================================================================
# http-misc: HEAD, 204, 304, 100-continue, gzip, 404, and last a body framed by the close

PAGE = body_text(1234, b'page')
ETAG = b'"v1-5d41402abc4b2a76"'
GZ_PLAIN = body_text(6000, b'gzip')
GZ_BODY = gzip.compress(GZ_PLAIN, compresslevel=9, mtime=0)  # mtime 0: the same bytes every run
UPLOAD_100 = body_text(2000, b'upload')
LEGACY = body_text(700, b'legacy')


def misc_answer(st, rec, req):
    t, m = req['target'], req['method']
    if m == b'HEAD' and t == b'/misc/page':
        r = response(200, b'OK', [SERVER, (b'Content-Type', b'text/html; charset=utf-8'),
                                  (b'Content-Length', b'%d' % len(PAGE)), (b'ETag', ETAG)])
        st.send(r)
        log_answer(rec, req, 200, b'OK', 'none', 0, len(r))
    elif t == b'/misc/empty':
        r = response(204, b'No Content', [SERVER])
        st.send(r)
        log_answer(rec, req, 204, b'No Content', 'none', 0, len(r))
    elif t == b'/misc/etag':
        inm = hget(req['headers'], b'if-none-match')
        assert inm == ETAG, inm
        r = response(304, b'Not Modified', [SERVER, (b'ETag', ETAG), (b'Cache-Control', b'max-age=60')])
        st.send(r)
        log_answer(rec, req, 304, b'Not Modified', 'none', 0, len(r))
    elif t == b'/misc/gzip':
        r = plain(200, b'OK', GZ_BODY, extra=[(b'Content-Encoding', b'gzip'), (b'Vary', b'Accept-Encoding')])
        st.send(r)
        log_answer(rec, req, 200, b'OK', 'content-length', len(GZ_BODY), len(r), content_encoding='gzip',
                   decoded_body_bytes=len(GZ_PLAIN))
    elif t == b'/misc/legacy':
        # HTTP/1.0 response, no Content-Length, no keep-alive: the body ends when we close
        r = response(200, b'OK', [SERVER, (b'Content-Type', b'text/plain')], LEGACY, version=b'HTTP/1.0')
        st.send(r)
        log_answer(rec, req, 200, b'OK', 'close', len(LEGACY), len(r))
        rec['server_close_at'] = now()
        return 'close'
    else:
        msg = b'no such resource: ' + t + b'\n'
        r = plain(404, b'Not Found', msg)
        st.send(r)
        log_answer(rec, req, 404, b'Not Found', 'content-length', len(msg), len(r))
    return None


def misc_server(st, rec):
    while True:
        req = read_request_head(st)
        if req is None:
            return
        interim = []
        if (hget(req['headers'], b'expect') or b'').lower() == b'100-continue':
            # answer the expectation before reading the body: the client waits for this
            c100 = b'HTTP/1.1 100 Continue\r\n\r\n'
            st.send(c100)
            interim.append({'status': 100, 'reason': 'Continue', 'response_bytes': len(c100), 'sent_at': now()})
        read_request_body(st, req)
        if interim:
            msg = b'stored %d bytes\n' % len(req['body'])
            r = plain(201, b'Created', msg)
            st.send(r)
            log_answer(rec, req, 201, b'Created', 'content-length', len(msg), len(r), interim_responses=interim)
            continue
        if misc_answer(st, rec, req) == 'close':
            return


def misc_client(port=40043):
    c = Client(A4, S4, 80, port)

    def simple(method, target, extra=(), keep=True):
        h, b, log = request(method, target, std_headers(extra=extra))
        log['sent_at'] = now()
        c.st.send(h + b)
        return c.log(log, read_response(c.st, method), keep_alive=keep)

    simple(b'HEAD', b'/misc/page')
    time.sleep(0.02)
    simple(b'GET', b'/misc/empty')
    time.sleep(0.02)
    simple(b'GET', b'/misc/etag', [(b'If-None-Match', ETAG)])
    time.sleep(0.02)
    # Expect: 100-continue: send the head, wait for 100 Continue, then the body
    h, b, log = request(b'POST', b'/misc/upload', std_headers(extra=[
        (b'Content-Type', b'text/plain'), (b'Content-Length', b'%d' % len(UPLOAD_100)),
        (b'Expect', b'100-continue')]), UPLOAD_100)
    log['sent_at'] = now()
    c.st.send(h)
    h0 = c.st.pos
    c100 = c.st.until(b'\r\n\r\n')
    assert c100.startswith(b'HTTP/1.1 100 '), c100
    interim = [{'status': 100, 'reason': 'Continue', 'response_bytes': len(c100), 'received_at': c.st.at(h0)}]
    log['body_sent_at'] = now()
    c.st.send(b)
    resp = read_response(c.st, b'POST')
    resp['interim'] = interim + resp['interim']
    resp['first_byte_at'] = interim[0]['received_at']
    c.log(log, resp, keep_alive=True, expect='100-continue')
    time.sleep(0.02)
    t = simple(b'GET', b'/misc/gzip', [(b'Accept-Encoding', b'gzip')])
    t['decoded_body_bytes'] = len(gzip.decompress(t['_body']))
    time.sleep(0.02)
    simple(b'GET', b'/misc/missing')
    time.sleep(0.02)
    simple(b'GET', b'/misc/legacy', keep=False)  # HTTP/1.0 answer, framed by the server's close
    c.finish('server')
    return c.rec


# =============================================================================================
# http-upgrade: WebSocket upgrade (101) on port 80; CONNECT through a proxy on port 3128

WS_KEY = b'dGhlIHNhbXBsZSBub25jZQ=='  # the key of RFC 6455 section 1.3
WS_MASKS = [b'\x37\xfa\x21\x3d', b'\x5a\x11\xc3\x08']
TUNNEL_TARGET = b'backend.lab.example:9443'
TUNNEL_HOSTS = {b'backend.lab.example': '127.0.0.1'}  # the proxy's own "resolver"
OPAQUE_UP = [b'\x00\x01WLTUNNEL\xff\xfe' + bytes(range(0x80, 0x80 + 52)),  # 64 bytes
             bytes(range(0xe0, 0x100))]  # 32 bytes
OPAQUE_DOWN = [b'\x00\x02wltunnel\x00\xff' + bytes(range(0, 116)),  # 128 bytes
               b'\xde\xad\xbe\xef' * 4]  # 16 bytes


def ws_server(st, rec):
    req = read_request_head(st)
    read_request_body(st, req)
    key = hget(req['headers'], b'sec-websocket-key')
    r = response(101, b'Switching Protocols', [SERVER, (b'Upgrade', b'websocket'), (b'Connection', b'Upgrade'),
                                               (b'Sec-WebSocket-Accept', ws_accept(key))])
    welcome = ws_frame(1, b'welcome to the wirelens lab')
    st.send(r + welcome)  # one write: the first WebSocket frame follows the 101 head in the same segment
    frames = [ws_log(ws_read_bytes(welcome), 'server_to_client')]
    log_answer(rec, req, 101, b'Switching Protocols', 'none', 0, len(r), upgraded='websocket')
    f = ws_read(st)
    frames.append(ws_log(f, 'client_to_server'))
    echo = ws_frame(1, b'echo: ' + f['payload'])
    st.send(echo)
    frames.append(ws_log(ws_read_bytes(echo), 'server_to_client'))
    f = ws_read(st)
    frames.append(ws_log(f, 'client_to_server'))
    assert f['opcode'] == 8
    close = ws_frame(8, struct.pack('!H', 1000) + b'bye')
    st.send(close)
    frames.append(ws_log(ws_read_bytes(close), 'server_to_client'))
    rec['ws_frames'] = frames
    # RFC 6455 section 7.1.1: the server closes the TCP connection first


def ws_read_bytes(frame_bytes):
    """Parse a frame we built ourselves (for the log)."""
    class _S:
        def __init__(self, b):
            self.b, self.i = b, 0

        def exact(self, n):
            out = self.b[self.i : self.i + n]
            self.i += n
            return out
    return ws_read(_S(frame_bytes))


def ws_client(port=40044):
    c = Client(A4, S4, 80, port)
    h, b, log = request(b'GET', b'/chat', std_headers(extra=[
        (b'Upgrade', b'websocket'), (b'Connection', b'Upgrade'), (b'Sec-WebSocket-Key', WS_KEY),
        (b'Sec-WebSocket-Version', b'13')]))
    log['sent_at'] = now()
    c.st.send(h + b)
    resp = read_response(c.st, b'GET')
    assert resp['status'] == 101 and hget(resp['headers'], b'sec-websocket-accept') == ws_accept(WS_KEY)
    at_101 = c.st.pos
    frames = []
    out0 = c.st.bytes_out
    f = ws_read(c.st)
    frames.append(ws_log(f, 'server_to_client'))
    fr = ws_frame(1, b'hello from the client', WS_MASKS[0])
    c.st.send(fr)
    frames.append(ws_log(ws_read_bytes(fr), 'client_to_server'))
    frames.append(ws_log(ws_read(c.st), 'server_to_client'))
    fr = ws_frame(8, struct.pack('!H', 1000), WS_MASKS[1])
    c.st.send(fr)
    frames.append(ws_log(ws_read_bytes(fr), 'client_to_server'))
    f = ws_read(c.st)
    frames.append(ws_log(f, 'server_to_client'))
    c.finish('server')
    c.log(log, resp, keep_alive=False, upgrade={
        'protocol': 'websocket', 'sec_websocket_accept': ws_accept(WS_KEY).decode(),
        'bytes_after': {'client_to_server': c.st.bytes_out - out0, 'server_to_client': c.st.bytes_in - at_101},
        'frames': frames,
        'note': 'the server wrote the 101 head and its first frame in one write'})
    return c.rec


def backend_server(st, rec):
    """The opaque service behind the proxy (127.0.0.1:9443 in the server namespace)."""
    got = [st.exact(len(OPAQUE_UP[0]))]
    st.send(OPAQUE_DOWN[0])
    got.append(st.exact(len(OPAQUE_UP[1])))
    st.send(OPAQUE_DOWN[1])
    assert got == OPAQUE_UP
    st.to_eof()


def proxy_server(st, rec):
    req = read_request_head(st)
    read_request_body(st, req)
    assert req['method'] == b'CONNECT', req
    host, _, port = req['target'].rpartition(b':')
    up = socket.create_connection((TUNNEL_HOSTS[host], int(port)), timeout=5)
    rec['upstream'] = {'target': req['target'].decode(), 'connected_to': '%s:%d' % up.getpeername()[:2],
                       'from': '%s:%d' % up.getsockname()[:2]}
    r = response(200, b'Connection established', [(b'Proxy-Agent', b'wirelens-lab-proxy/1')])
    st.send(r)
    log_answer(rec, req, 200, b'Connection established', 'none', 0, len(r), tunnel=True)
    try:
        relay(st, up, rec)
    finally:
        up.close()


def connect_client(port=40045):
    c = Client(A4, S4, 3128, port)
    h, b, log = request(b'CONNECT', TUNNEL_TARGET, [(b'Host', TUNNEL_TARGET), (b'User-Agent', UA)])
    log['sent_at'] = now()
    c.st.send(h + b)
    resp = read_response(c.st, b'CONNECT')
    assert resp['status'] == 200, resp
    at_200, out0 = c.st.pos, c.st.bytes_out
    c.st.send(OPAQUE_UP[0])
    assert c.st.exact(len(OPAQUE_DOWN[0])) == OPAQUE_DOWN[0]
    time.sleep(0.02)
    c.st.send(OPAQUE_UP[1])
    assert c.st.exact(len(OPAQUE_DOWN[1])) == OPAQUE_DOWN[1]
    time.sleep(0.05)
    c.finish('client')
    c.log(log, resp, keep_alive=False, tunnel={
        'target': TUNNEL_TARGET.decode(),
        'bytes_after': {'client_to_server': c.st.bytes_out - out0, 'server_to_client': c.st.bytes_in - at_200},
        'client_to_server_hex': [x.hex() for x in OPAQUE_UP],
        'server_to_client_hex': [x.hex() for x in OPAQUE_DOWN],
        'note': 'opaque bytes (not TLS, not HTTP) relayed by the proxy to 127.0.0.1:9443 inside the server '
                'namespace; that leg is on the server\'s loopback, not in the capture'})
    return c.rec


# =============================================================================================
# http-hostile: terminal escapes, backspaces, a bidi override and invalid UTF-8 in HTTP and DNS

ESC_RED, ESC_RESET = b'\x1b[31m', b'\x1b[0m'
OSC_TITLE = b'\x1b]0;pwned by wirelens lab\x07'
RLO = '\u202e'.encode()  # RIGHT-TO-LEFT OVERRIDE, e2 80 ae
PDF = '\u202c'.encode()  # POP DIRECTIONAL FORMATTING
BS = b'\x08'
BAD_UTF8 = b'\xff\xfe\xc3\x28\xc0\xaf\xed\xa0\x80\x80'  # never valid / truncated / overlong / surrogate / stray

HOSTILE_REQUESTS = [
    {'target': b'/files/' + ESC_RED + b'red' + ESC_RESET + b'/' + RLO + b'gnp.exe?x=' + BS * 3,
     'host': HOST, 'ua': UA, 'extra': [],
     'fields': {'request-target': ['CSI ESC[31m', 'CSI ESC[0m', 'U+202E RLO', 'backspace x3']}},
    {'target': b'/index.html', 'host': b'www.lab.example' + OSC_TITLE,
     'ua': b'Mozilla/5.0 ' + ESC_RED + b'(evil)' + ESC_RESET + b' ' + BS * 5 + b'curl/8.0 ' + BAD_UTF8,
     'extra': [],
     'fields': {'Host': ['OSC ESC]0;...BEL'],
                'User-Agent': ['CSI ESC[31m', 'CSI ESC[0m', 'backspace x5', 'invalid UTF-8']}},
    {'target': b'/api/note', 'host': HOST, 'ua': UA,
     'extra': [(b'X-Wirelens-Note', b'\x1b[2J\x1b[H' + OSC_TITLE + b' ' + RLO + b'txt.exe' + PDF + b' '
                + BAD_UTF8[:4] + b' ' + BS + b'done')],
     'fields': {'X-Wirelens-Note': ['CSI ESC[2J (clear screen)', 'CSI ESC[H', 'OSC ESC]0;...BEL', 'U+202E RLO',
                                    'U+202C PDF', 'invalid UTF-8', 'backspace']}},
]
HOSTILE_DNS_LABELS = [ESC_RED + b'red' + ESC_RESET, RLO + b'lab' + BS + BS, b'x' + BAD_UTF8[:2] + b'\x07',
                      b'lab', b'example']
HOSTILE_DNS_ID = 0x4C48


def hostile_answer(st, rec, req):
    msg = b'ok\n'
    r = plain(200, b'OK', msg)
    st.send(r)
    log_answer(rec, req, 200, b'OK', 'content-length', len(msg), len(r))


def hostile_server(st, rec):
    serve_requests(st, rec, hostile_answer)


def hostile_client(port=40046):
    c = Client(A4, S4, 80, port)
    raw = []
    for i, spec in enumerate(HOSTILE_REQUESTS):
        hdrs = std_headers(spec['host'], spec['ua'], spec['extra'])
        h, b, log = request(b'GET', spec['target'], hdrs)
        log['sent_at'] = now()
        c.st.send(h + b)
        t = c.log(log, read_response(c.st, b'GET'), keep_alive=True)
        t['request_line_hex'] = h.split(b'\r\n', 1)[0].hex()
        t['request_head_hex'] = h.hex()
        t['uri_hex'] = spec['target'].hex()  # `uri`/`host` are null where the bytes are not UTF-8
        t['host_hex'] = spec['host'].hex()
        values = {'request-target': spec['target'], 'Host': spec['host'], 'User-Agent': spec['ua'],
                  **{n.decode(): v for n, v in spec['extra']}}
        for field, what in spec['fields'].items():
            raw.append({'where': 'http', 'request': i + 1, 'field': field, 'hex': values[field].hex(),
                        'text': text(values[field]), 'contains': what})
        time.sleep(0.02)
    c.finish('client')
    c.rec['hostile'] = raw
    return c.rec


def dns_query_labels(qid, labels, qtype=1):
    name = b''.join(bytes([len(x)]) + x for x in labels) + b'\x00'
    return struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0) + name + struct.pack('!HH', qtype, 1), name


def hostile_dns_ask(server=S4, local_port=40053):
    s = socket.socket(A4, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', local_port))
    s.settimeout(3)
    s.connect((server, 53))
    q, qname_wire = dns_query_labels(HOSTILE_DNS_ID, HOSTILE_DNS_LABELS)
    t0 = now()
    s.send(q)
    resp = s.recv(2048)
    rec = {'local': s.getsockname()[:2], 'server': s.getpeername()[:2], 'query_bytes': len(q),
           'response_bytes': len(resp), 'id': HOSTILE_DNS_ID, 'rcode': resp[3] & 0x0F,
           'answers': struct.unpack('!H', resp[6:8])[0], 'qname_wire_hex': qname_wire.hex(),
           'query_hex': q.hex(), 'response_hex': resp.hex(), 'sent_at': t0, 'answered_at': now()}
    s.close()
    return rec


def hostile_dns_name():
    """The name as protocols.DnsServer keys it (labels decoded as ASCII with replacement)."""
    return '.'.join(x.decode('ascii', 'replace') for x in HOSTILE_DNS_LABELS)
