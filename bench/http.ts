/**
 * HTTP/1.1 message bytes for the synthetic capture: GET requests with a few realistic headers and
 * responses with a Content-Length or chunked body. Bodies are slices of one seeded text buffer, so
 * building a response is a header string plus one copy.
 */
import type { Prng } from './prng.js';

interface Client {
  readonly userAgent: string;
  readonly accept: string;
  readonly browser: boolean;
}

const CLIENTS: readonly Client[] = [
  { userAgent: 'curl/8.5.0', accept: '*/*', browser: false },
  {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
    browser: true,
  },
  {
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    browser: true,
  },
  { userAgent: 'Wget/1.21.4', accept: '*/*', browser: false },
  { userAgent: 'python-requests/2.31.0', accept: '*/*', browser: false },
];

interface Resource {
  readonly path: (rng: Prng) => string;
  readonly contentType: string;
}

const RESOURCES: readonly Resource[] = [
  { path: () => '/', contentType: 'text/html; charset=utf-8' },
  { path: (r) => `/articles/${r.int(1, 99999)}.html`, contentType: 'text/html; charset=utf-8' },
  {
    path: (r) => `/static/js/app.${r.u32().toString(16).padStart(8, '0')}.js`,
    contentType: 'application/javascript',
  },
  { path: (r) => `/static/css/site.${r.u32().toString(16).padStart(8, '0')}.css`, contentType: 'text/css' },
  {
    path: (r) => `/api/v1/items/${r.int(1, 999999)}?fields=name,price`,
    contentType: 'text/plain; charset=utf-8',
  },
  { path: (r) => `/downloads/file-${r.int(1, 9999)}.bin`, contentType: 'application/octet-stream' },
];

const NOT_FOUND_BODY =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const MOVED_BODY =
  '<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n' +
  '<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Body size classes: most responses fit one segment, a few span tens of them. */
const SIZE_WEIGHTS = [0.87, 0.1, 0.025, 0.005];
const SIZE_RANGES: readonly (readonly [number, number])[] = [
  [40, 1000],
  [1500, 7000],
  [7000, 26000],
  [26000, 64000],
];

const FILLER_WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there been one all we their has would when if so no will more about can its into ' +
  'network packet capture protocol segment window stream server client request response header body'
).split(' ');

export class HttpContent {
  /** Printable text that bodies are sliced from. */
  private readonly filler: Buffer;
  private dateSecond = -1;
  private dateText = '';

  constructor(rng: Prng, fillerSize = 1 << 18) {
    const parts: string[] = [];
    let size = 0;
    let line = 0;
    while (size < fillerSize) {
      const w = rng.pick(FILLER_WORDS);
      const sep = line + w.length > 72 ? '\n' : ' ';
      line = sep === '\n' ? 0 : line + w.length + 1;
      parts.push(w, sep);
      size += w.length + 1;
    }
    this.filler = Buffer.from(parts.join('').slice(0, fillerSize), 'latin1');
  }

  request(rng: Prng, host: string): { bytes: Buffer; resource: Resource } {
    const client = rng.pick(CLIENTS);
    const resource = rng.pick(RESOURCES);
    let head = `GET ${resource.path(rng)} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${client.userAgent}\r\nAccept: ${client.accept}\r\n`;
    if (client.browser) head += 'Accept-Language: en-US,en;q=0.5\r\nConnection: keep-alive\r\n';
    head += '\r\n';
    return { bytes: Buffer.from(head, 'latin1'), resource };
  }

  /**
   * A response to `resource`. `close` adds `Connection: close` (the server closes after it).
   * `timeUs` is the capture time, for the Date header.
   */
  response(
    rng: Prng,
    resource: Resource,
    server: string,
    timeUs: number,
    close: boolean,
  ): { bytes: Buffer; chunked: boolean } {
    const kind = rng.weighted([0.92, 0.05, 0.03]);
    let status = '200 OK';
    let contentType = resource.contentType;
    let fixedBody: string | null = null;
    let extra = '';
    if (kind === 1) {
      status = '404 Not Found';
      contentType = 'text/html';
      fixedBody = NOT_FOUND_BODY;
    } else if (kind === 2) {
      status = '301 Moved Permanently';
      contentType = 'text/html';
      fixedBody = MOVED_BODY;
      extra = `Location: https://www.example.com/${rng.int(1, 9999)}\r\n`;
    }
    let head = `HTTP/1.1 ${status}\r\nServer: ${server}\r\nDate: ${this.httpDate(timeUs)}\r\nContent-Type: ${contentType}\r\n${extra}`;
    if (status === '200 OK' && rng.chance(0.3)) head += 'Cache-Control: max-age=3600\r\n';
    const connection = close ? 'Connection: close\r\n' : 'Connection: keep-alive\r\n';

    if (fixedBody !== null) {
      head += `Content-Length: ${fixedBody.length}\r\n${connection}\r\n`;
      return { bytes: Buffer.from(head + fixedBody, 'latin1'), chunked: false };
    }
    const range = SIZE_RANGES[rng.weighted(SIZE_WEIGHTS)] as readonly [number, number];
    const bodyLength = rng.int(range[0], range[1]);
    const start = rng.int(0, this.filler.length - bodyLength);
    if (rng.chance(0.15)) {
      const bytes = this.chunked(
        rng,
        `${head}Transfer-Encoding: chunked\r\n${connection}\r\n`,
        start,
        bodyLength,
      );
      return { bytes, chunked: true };
    }
    head += `Content-Length: ${bodyLength}\r\n${connection}\r\n`;
    const headLength = head.length;
    const out = Buffer.allocUnsafe(headLength + bodyLength);
    out.write(head, 0, 'latin1');
    this.filler.copy(out, headLength, start, start + bodyLength);
    return { bytes: out, chunked: false };
  }

  /** Chunked transfer coding (RFC 9112 section 7.1): size lines, data, terminating zero chunk. */
  private chunked(rng: Prng, head: string, start: number, bodyLength: number): Buffer {
    const sizes: number[] = [];
    let framing = 0;
    for (let left = bodyLength; left > 0; ) {
      const n = Math.min(left, rng.int(200, 8192));
      sizes.push(n);
      framing += n.toString(16).length + 4;
      left -= n;
    }
    const out = Buffer.allocUnsafe(head.length + bodyLength + framing + 5);
    let o = out.write(head, 0, 'latin1');
    let src = start;
    for (const n of sizes) {
      o += out.write(`${n.toString(16)}\r\n`, o, 'latin1');
      o += this.filler.copy(out, o, src, src + n);
      o += out.write('\r\n', o, 'latin1');
      src += n;
    }
    o += out.write('0\r\n\r\n', o, 'latin1');
    return out.subarray(0, o);
  }

  /** IMF-fixdate (RFC 9110 section 5.6.7), cached per second. */
  private httpDate(timeUs: number): string {
    const second = Math.floor(timeUs / 1e6);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateText = new Date(second * 1000).toUTCString();
    }
    return this.dateText;
  }
}

export type { Resource };
