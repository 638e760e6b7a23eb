// A stand-in for the seeds' flags CDN: a local HTTP server that answers GET /flags/<cc>.gif
// after a fixed latency, and 404 for a flag it does not have. Listens on 127.0.0.1 only.
import { createServer } from 'node:http';

/** Start serving; resolves with the base URL and a close(). */
export async function startFlagServer({ latencyMs = 100, known = [] } = {}) {
  const flags = new Set(known.map((cc) => cc.toLowerCase()));
  const server = createServer((req, res) => {
    const cc = /^\/flags\/([a-z]{2})\.gif$/.exec(req.url ?? '')?.[1];
    setTimeout(() => {
      if (!cc || !flags.has(cc)) return res.writeHead(404).end();
      // A few hundred bytes per flag: the seeds' GIFs are small.
      res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.alloc(300 + cc.charCodeAt(0), cc));
    }, latencyMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
