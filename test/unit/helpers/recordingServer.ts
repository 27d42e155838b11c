/**
 * Loopback HTTP servers for fetch tests that record each request they receive (the server's name, the `id` query
 * parameter, the method, path, headers and body) before they answer it.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  server: string;
  id: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A server named `name`: each request is appended to `log` once its body has arrived (read as `encoding`), then
 * `answer` responds to it (`url` is the request's URL, its path and query).
 */
export function recorder(
  name: string,
  log: Received[],
  answer: (url: URL, req: IncomingMessage, res: ServerResponse) => void,
  encoding: BufferEncoding = 'utf8',
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      log.push({
        server: name,
        id: url.searchParams.get('id') ?? '',
        method: req.method ?? '',
        path: url.pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(encoding),
      });
      answer(url, req, res);
    });
  });
}

/** Listens on a free port of 127.0.0.1; answers the server's base URL, named by `host` (another name for the loopback: 'localhost'). */
export const listen = (s: Server, host = '127.0.0.1'): Promise<string> =>
  new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://${host}:${(s.address() as AddressInfo).port}`)));
