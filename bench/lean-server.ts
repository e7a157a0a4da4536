// The plain Node ceiling of issue 6: about the leanest Redis-protocol server Node can run. A Map
// of latin1 strings, requests parsed by hand from the socket's buffers, integers read without
// allocating, one write per socket read, and only PING, SET, GET and INCR. It is not Cairn and
// keeps nothing a real server needs (limits, errors, expiry, stats); it measures what Node's
// event loop and sockets allow, next to Cairn and redis-server (bench/node-ceiling.ts).
//
//   node dist/bench/lean-server.js <port>
import net from 'node:net';

const store = new Map<string, string>();
const CR = 13;

/** Node's latin1Slice skips toString's argument checks; @types/node does not declare it. */
function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);
}

/** A decimal integer that ends at a CR; [value, index after the CRLF], or null when incomplete. */
function readInt(buf: Buffer, at: number): [number, number] | null {
  let n = 0;
  for (let i = at; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === CR) return i + 1 < buf.length ? [n, i + 2] : null;
    n = n * 10 + (c - 48);
  }
  return null;
}

/** One request at `at`: its arguments and where the next one starts, or null when incomplete. */
function parse(buf: Buffer, at: number): { argv: string[]; next: number } | null {
  if (at >= buf.length) return null;
  if (buf[at] !== 42 /* '*' */) {
    const end = buf.indexOf(10, at);
    if (end < 0) return null;
    return { argv: latin1(buf, at, end).trim().split(' '), next: end + 1 };
  }
  const count = readInt(buf, at + 1);
  if (count === null) return null;
  let pos = count[1];
  const argv: string[] = [];
  for (let k = 0; k < count[0]; k++) {
    const len = readInt(buf, pos + 1); // skips the '$'
    if (len === null || len[1] + len[0] + 2 > buf.length) return null;
    argv.push(latin1(buf, len[1], len[1] + len[0]));
    pos = len[1] + len[0] + 2;
  }
  return { argv, next: pos };
}

function execute(argv: string[]): string {
  switch (argv[0]) {
    case 'SET':
    case 'set':
      store.set(argv[1]!, argv[2]!);
      return '+OK\r\n';
    case 'GET':
    case 'get': {
      const v = store.get(argv[1]!);
      return v === undefined ? '$-1\r\n' : `$${v.length}\r\n${v}\r\n`;
    }
    case 'INCR':
    case 'incr': {
      const n = Number(store.get(argv[1]!) ?? '0') + 1;
      store.set(argv[1]!, String(n));
      return `:${n}\r\n`;
    }
    case 'PING':
    case 'ping':
      return '+PONG\r\n';
    default:
      return '-ERR unknown command\r\n';
  }
}

net
  .createServer({ noDelay: true }, (socket) => {
    let pending: Buffer | null = null;
    socket.on('data', (chunk: Buffer) => {
      const buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      let out = '';
      for (let req = parse(buf, at); req !== null; req = parse(buf, at)) {
        out += execute(req.argv);
        at = req.next;
      }
      pending = at < buf.length ? buf.subarray(at) : null;
      if (out !== '') socket.write(out, 'latin1');
    });
    socket.on('error', () => socket.destroy());
  })
  .listen(Number(process.argv[2]), '127.0.0.1');
