/**
 * HTTP messages inside a TCP story: for `explain`, one short line per packet that carried part of a
 * message, with the parts labelled as an HTTP primer names them — request line / status line,
 * headers, blank line, body.
 */
import type { HttpEvent } from '../app/http/types.js';

function s(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Collects notes per packet number from the HTTP parser's events. */
export class HttpNotes {
  readonly byPacket = new Map<number, string[]>();
  private started = new Map<string, number>();

  private add(packet: number, text: string): void {
    const list = this.byPacket.get(packet);
    if (list) list.push(text);
    else this.byPacket.set(packet, [text]);
  }

  readonly event = (e: HttpEvent): void => {
    const who = e.side === 'request' ? 'request' : 'response';
    const key = `${e.side}:${e.message}`;
    switch (e.kind) {
      case 'messageStart':
        this.started.set(key, e.packet);
        break;
      case 'head': {
        const h = e.head;
        const start = this.started.get(key);
        const line =
          h.kind === 'request'
            ? `request line "${h.method} ${h.target} HTTP/${h.version}"`
            : h.version === '0.9'
              ? 'no status line (HTTP/0.9)'
              : `status line "HTTP/${h.version} ${h.status} ${h.reason}"`;
        const parts = `${line}, ${s(h.headers.list.length, 'header')}, blank line (${h.headerBytes} bytes)`;
        if (start !== undefined && start !== e.packet) {
          this.add(
            start,
            `HTTP ${who} #${e.message} begins: ${h.kind === 'request' ? 'request line' : 'status line'}…`,
          );
          this.add(e.packet, `HTTP ${who} #${e.message} head complete: ${parts}`);
        } else
          this.add(
            e.packet,
            `HTTP ${who} #${e.message}: ${parts}${h.kind === 'response' && h.interim ? ' — interim response' : ''}`,
          );
        break;
      }
      case 'body':
        if (e.bodyBytes > 0)
          this.add(e.packet, `HTTP ${who} #${e.message} body: ${e.bodyBytes} bytes (${e.bodyTotal} so far)`);
        break;
      case 'messageEnd': {
        const m = e.summary;
        if (!m.headParsed) break;
        const how =
          m.framing === 'content-length'
            ? 'Content-Length'
            : m.framing === 'chunked'
              ? `chunked, ${s(m.chunks ?? 0, 'chunk')}`
              : m.framing === 'until-close'
                ? 'ended by the connection close'
                : 'no body';
        this.add(
          e.packet,
          `HTTP ${who} #${e.message} ends: body ${m.bodyLength} bytes (${how})${m.complete ? '' : ' — INCOMPLETE'}`,
        );
        break;
      }
      case 'upgrade':
        this.add(
          e.packet,
          `HTTP upgrade to ${e.protocol || 'another protocol'}: from here on the bytes are not HTTP`,
        );
        break;
      case 'connect':
        this.add(e.packet, `CONNECT ${e.authority} accepted: the connection is now a tunnel`);
        break;
      case 'anomaly':
        this.add(e.packet, `HTTP anomaly ${e.anomaly.id}${e.anomaly.detail ? ` (${e.anomaly.detail})` : ''}`);
        break;
    }
  };
}
