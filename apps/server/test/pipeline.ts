/**
 * A pipelining HTTP/1.1 client on one raw connection: it keeps `depth`
 * requests outstanding, so from the server's side the connection is never
 * idle. Node's http client cannot do that, and it is what load generators such
 * as autocannon --pipelining do.
 */
import { connect } from 'node:net';

export interface PipelinedReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The request was written after `late()` turned true. */
  late: boolean;
}

export interface PipelineResult {
  replies: PipelinedReply[];
  /** Requests written that got no answer when the connection ended. */
  unanswered: number;
  /** How the connection ended: 'end' (closed by the server), or the socket error's code. */
  ended: string;
  /** Bytes of a reply the connection ended in the middle of ('' if none). */
  partial: string;
}

/** Parse one complete reply at the start of `buf`: the reply and the rest, or null if it is not complete yet. */
function parseReply(buf: string): { status: number; headers: Record<string, string>; body: string; rest: string } | null {
  const head = buf.indexOf('\r\n\r\n');
  if (head < 0) return null;
  const [statusLine = '', ...lines] = buf.slice(0, head).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  let at = head + 4;
  if (headers['transfer-encoding']?.includes('chunked')) {
    let body = '';
    for (;;) {
      const eol = buf.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = Number.parseInt(buf.slice(at, eol), 16);
      if (buf.length < eol + 2 + size + 2) return null;
      body += buf.slice(eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
      if (size === 0) return { status, headers, body, rest: buf.slice(at) };
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  if (buf.length < at + length) return null;
  return { status, headers, body: buf.slice(at, at + length), rest: buf.slice(at + length) };
}

/**
 * Send `GET path` on one connection, `depth` at a time, until the server
 * closes the connection or answers `Connection: close` (then no more is
 * written), or `maxMs` passes.
 */
export function pipeline(port: number, path: string, depth: number, late: () => boolean, maxMs: number): Promise<PipelineResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const replies: PipelinedReply[] = [];
    const written: boolean[] = [];
    let buf = '';
    let closing = false;
    const started = Date.now();
    const send = () => {
      if (closing || Date.now() - started > maxMs) return;
      written.push(late());
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    };
    let ended = 'end';
    socket.setEncoding('latin1');
    socket.on('connect', () => {
      for (let i = 0; i < depth; i++) send();
    });
    socket.on('data', (chunk: string) => {
      buf += chunk;
      for (let r = parseReply(buf); r; r = parseReply(buf)) {
        buf = r.rest;
        replies.push({ status: r.status, headers: r.headers, body: r.body, late: written[replies.length] ?? false });
        if (r.headers.connection?.toLowerCase() === 'close') closing = true;
        send();
      }
      if (!closing && replies.length === written.length && Date.now() - started > maxMs) socket.end();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      ended = e.code ?? e.message;
    });
    socket.on('close', () => resolve({ replies, unanswered: written.length - replies.length, ended, partial: buf }));
  });
}
