import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientErrorHandler } from '../serving/errors';
import { testApp } from './helpers/serving-fakes';

/** Sends raw bytes on a fresh connection and resolves with everything the server wrote back. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      // The server closes after answering; a reset that races our read is not a failure.
      error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(answer) : reject(error),
    );
    socket.on('close', () => resolve(answer));
    socket.write(bytes);
  });
}

function parse(answer: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

describe('requests the HTTP parser refuses get the API error shape', () => {
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    ({ app } = await testApp());
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('headers over the limit → 431 HEADERS_TOO_LARGE', async () => {
    const answer = await rawRequest(
      port,
      `POST /predict HTTP/1.1\r\nHost: x\r\nX-Client-Id: ${'a'.repeat(40_000)}\r\nContent-Length: 2\r\n\r\n{}`,
    );
    const res = parse(answer);
    expect(res.status).toBe(431);
    expect(res.headers).toContain('content-type: application/json');
    expect(res.body).toEqual({
      error: { code: 'HEADERS_TOO_LARGE', message: expect.stringMatching(/KiB\): shorten them/) },
    });
  });

  it('a request that is not HTTP → 400 BAD_REQUEST', async () => {
    const res = parse(await rawRequest(port, 'HELLO THERE\r\n\r\n'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'BAD_REQUEST', message: 'the request is not valid HTTP/1.1' },
    });
  });

  it('the server still answers normal requests afterwards', async () => {
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Apple beats' } });
    expect(res.statusCode).toBe(200);
  });

  it('a request timeout → 408 REQUEST_TIMEOUT; a reset connection gets nothing', () => {
    // Node checks request timeouts every 30 s, too slow for a test over a socket: call the handler.
    const written: string[] = [];
    let destroyed = 0;
    const socket = {
      destroyed: false,
      writable: true,
      write: (s: string) => written.push(s),
      destroy: () => {
        destroyed++;
      },
    } as unknown as Socket;
    const timeout = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    clientErrorHandler.call(app, timeout, socket);
    expect(written[0]).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(written[0]!.split('\r\n\r\n')[1]!).error.code).toBe('REQUEST_TIMEOUT');
    expect(destroyed).toBe(1);

    const reset = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    clientErrorHandler.call(app, reset, socket);
    expect(written).toHaveLength(1);
    expect(destroyed).toBe(1);
  });
});
