// The local server hands requests to the handlers as the Functions host would: repeated Authorization headers are
// joined (so the token check refuses them) instead of Node's "first one wins", and secrets sent in the query string
// are masked in its log.
import http from 'node:http';
import { startLocalServer, type LocalServer } from '../../src/demo/server';

let server: LocalServer;
const lines: string[] = [];

beforeAll(async () => {
  server = await startLocalServer({
    port: 0,
    log: (line) => lines.push(line),
    routes: () => [
      {
        name: 'echo',
        methods: ['GET'],
        route: 'echo',
        handler: async (request) => ({ jsonBody: { authorization: request.headers.get('authorization') } }),
      },
    ],
  });
});

afterAll(() => server.close());

function get(path: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local server', () => {
  it('passes one Authorization header through unchanged', async () => {
    const res = await get('/api/echo', { Authorization: 'Bearer one' });
    expect(JSON.parse(res.body)).toEqual({ authorization: 'Bearer one' });
  });

  it('joins two Authorization headers, as the Functions host does, rather than keeping the first', async () => {
    const res = await get('/api/echo', { Authorization: ['Bearer one', 'Bearer two'] });
    expect(JSON.parse(res.body)).toEqual({ authorization: 'Bearer one, Bearer two' });
  });

  it('masks a function key and a token sent in the query string in its log', async () => {
    lines.length = 0;
    await get('/api/echo?code=fkey-secret&access_token=tok-secret&format=json', {});
    const logged = lines.join('\n');
    expect(logged).toContain('/api/echo?code=***&access_token=***&format=json');
    expect(logged).not.toMatch(/fkey-secret|tok-secret/);
  });
});
