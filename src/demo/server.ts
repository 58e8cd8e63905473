// A local HTTP server for the product's HTTP functions: Node's http request becomes an @azure/functions HttpRequest,
// the route table (src/http/routes.ts) picks the handler exactly as the Functions host would under `/api/`, and the
// handler's HttpResponseInit goes back as the response. It is local: it listens on 127.0.0.1 and asks for no
// function key (Azure requires one on every route).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { matchRoute, type Route } from '../http/routes';

export interface LocalServerOptions {
  /** 0 = any free port. */
  port: number;
  /** The routes to serve (undefined while the product is still starting: answers 503). */
  routes: () => Route[] | undefined;
  /** One line per request and per handler log line. */
  log: (line: string) => void;
  /** A small HTML index served at `/`. */
  index?: () => string;
}

export interface LocalServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** The port is taken: the message names it and how to choose another. */
export class PortInUseError extends Error {
  override name = 'UsageError';
  constructor(readonly port: number) {
    super(`demo: port ${port} is already in use; choose another with --port N (or --port 0 for any free port)`);
  }
}

// Larger bodies are refused before they are buffered (the handlers' own limit is 1 MB).
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer']);

function sendJsonError(res: http.ServerResponse, status: number, code: string, message: string, extra = {}): void {
  const body = JSON.stringify({ error: { code, message } }, null, 2);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Node's request as the Functions host would hand it to a handler. */
export function toHttpRequest(
  req: http.IncomingMessage,
  url: URL,
  body: Buffer,
  params: Record<string, string>,
): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // Node keeps only the first of repeated Authorization headers; the Functions host joins them, so a request with
  // two is refused there. Do the same here rather than let the first one decide.
  const authorization: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'authorization') authorization.push(req.rawHeaders[i + 1]);
  }
  if (authorization.length > 1) headers['authorization'] = authorization.join(', ');
  return new HttpRequest({
    method: req.method ?? 'GET',
    url: url.toString(),
    headers,
    ...(body.length > 0 ? { body: { bytes: new Uint8Array(body) } } : {}),
    params,
  });
}

async function writeResponse(res: http.ServerResponse, init: HttpResponseInit): Promise<void> {
  const response = new HttpResponse(init);
  const bytes = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers['content-length'] = String(bytes.length);
  res.writeHead(response.status, headers);
  res.end(bytes);
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  let invocation = 0;
  let port = options.port;
  const server = http.createServer((req, res) => {
    void (async () => {
      const started = Date.now();
      const url = new URL(req.url ?? '/', `http://localhost:${port}`);
      const method = (req.method ?? 'GET').toUpperCase();
      // The query may carry a function key (`?code=`) or a token sent by mistake: log their values masked.
      const shown = new URL(url.href);
      for (const secret of ['code', 'access_token', 'token', 'sig']) {
        if (shown.searchParams.has(secret)) shown.searchParams.set(secret, '***');
      }
      const done = (status: number) =>
        options.log(`http: ${method} ${shown.pathname}${shown.search} -> ${status} (${Date.now() - started} ms)`);
      try {
        if (url.pathname === '/' && options.index && (method === 'GET' || method === 'HEAD')) {
          const body = options.index();
          res.writeHead(200, {
            'Content-Type': 'text/html; charset=utf-8',
            'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
            'X-Content-Type-Options': 'nosniff',
          });
          res.end(method === 'HEAD' ? undefined : body);
          done(200);
          return;
        }
        const routes = options.routes();
        if (!routes) {
          sendJsonError(res, 503, 'Starting', 'the demo is still starting; try again in a few seconds', {
            'Retry-After': '5',
          });
          done(503);
          return;
        }
        const match = url.pathname.toLowerCase().startsWith('/api/')
          ? matchRoute(routes, url.pathname.slice('/api/'.length))
          : undefined;
        if (!match) {
          sendJsonError(res, 404, 'NotFound', `no function serves ${url.pathname.slice(0, 200)}`);
          done(404);
          return;
        }
        if (!match.route.methods.map((m) => m.toUpperCase()).includes(method)) {
          sendJsonError(res, 405, 'MethodNotAllowed', `${method} is not served on ${url.pathname.slice(0, 200)}`, {
            Allow: match.route.methods.join(', '),
          });
          done(405);
          return;
        }
        const body = await readBody(req);
        if (body === undefined) {
          sendJsonError(res, 413, 'PayloadTooLarge', `the body is over ${MAX_BODY_BYTES} bytes`, {
            Connection: 'close',
          });
          done(413);
          return;
        }
        invocation += 1;
        const context = new InvocationContext({
          functionName: match.route.name,
          invocationId: `local-${invocation}`,
          logHandler: (level, ...args) =>
            options.log(
              `${match.route.name}: ${level === 'information' ? '' : `${level}: `}${args.map(String).join(' ')}`,
            ),
        });
        const result = await match.route.handler(toHttpRequest(req, url, body, match.params), context);
        await writeResponse(res, result);
        done(result.status ?? 200);
      } catch (error) {
        // The handlers map their own errors; this is the host's last resort, without internals.
        options.log(`http: ${method} ${url.pathname}: ${(error as Error)?.message ?? String(error)}`);
        if (!res.headersSent) sendJsonError(res, 500, 'InternalError', 'the request could not be processed');
        else res.destroy();
        done(500);
      }
    })();
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port) : error);
    server.once('error', onError);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
