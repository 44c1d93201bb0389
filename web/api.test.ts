import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { Api, ApiError } from './api.ts';

it('reports a non-JSON error page (a proxy\'s) by its status, and still forgets the token on such a 401', async () => {
  const server = createServer((req, res) => {
    const status = req.url === '/401' ? 401 : 502;
    res.writeHead(status, { 'content-type': 'text/html' }).end(`<html><body>${status}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let refused = 0;
  const api = new Api(() => 'token', () => refused++);
  const failure = await api.get(`${base}/502`).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ApiError);
  expect(failure).toMatchObject({ status: 502, message: 'HTTP 502' });
  expect(refused).toBe(0);
  expect(await api.get(`${base}/401`).catch((err: unknown) => err)).toMatchObject({ status: 401 });
  expect(refused).toBe(1);
  await new Promise((resolve) => server.close(resolve));
});
