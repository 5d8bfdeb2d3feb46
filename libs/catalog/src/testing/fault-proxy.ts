/**
 * @module testing/fault-proxy
 * For the tests: an HTTP proxy in front of the real S3 server (testing/s3-server) that makes
 * the faults a network and an overloaded S3 make, for real, on the wire: a slow answer, a
 * 500 or 503 with S3's error XML, throttling (503 SlowDown), a connection reset before any
 * answer, an upload or a download cut mid-body, and the server going away mid-upload (the
 * proxy drops every connection and stops listening; `restart` brings it back on its port).
 *
 * Each request is matched against the rules in order by `METHOD /bucket/key?query`; the first
 * rule with uses left takes it. Requests pass through untouched otherwise (the Host header
 * included, which the client's signature covers), and every one is recorded.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { S3Server } from './s3-server';

export type Fault =
  /** Waits `ms` before passing the request on: a slow server, which must still succeed. */
  | { kind: 'delay'; ms: number }
  /** Answers `status` with S3's error XML for `code` (InternalError, ServiceUnavailable, SlowDown, AccessDenied...). */
  | { kind: 'error'; status: number; code: string }
  /** Drops the connection without an answer. */
  | { kind: 'reset' }
  /** Reads `afterBytes` of the request's body, then drops the connection (nothing reaches the server). */
  | { kind: 'cut-upload'; afterBytes: number }
  /** Passes the request on, then drops the connection after `afterBytes` of the answer's body. */
  | { kind: 'cut-download'; afterBytes: number }
  /** Like cut-upload, then stops: every connection is dropped and new ones are refused until `restart`. */
  | { kind: 'stop'; afterBytes: number };

export interface FaultRule {
  /** Tested against `METHOD /bucket/key?query` (`PUT /carve-test/runs/x/front.json?x-id=PutObject`). */
  readonly match: RegExp;
  readonly fault: Fault;
  /** How many matching requests get the fault. @default every one */
  readonly times?: number;
}

/** A request as the proxy saw it: `METHOD /bucket/key?query`, and the fault it got. */
export interface ProxiedRequest {
  readonly request: string;
  readonly fault?: Fault['kind'];
}

export interface FaultProxy {
  /** The proxy's URL, to give the client as its endpoint. */
  readonly endpoint: string;
  /** The server's environment (bucket, credentials) with the proxy as the endpoint. */
  readonly env: Record<string, string>;
  /** Every request so far, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** Adds a rule after the others. */
  inject(rule: FaultRule): void;
  /** Forgets the rules and the recorded requests. */
  reset(): void;
  /** The requests so far that `match` matches. */
  seen(match: RegExp): ProxiedRequest[];
  /** Listens again on the same port after a `stop` fault. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const MESSAGES: Record<string, string> = {
  InternalError: 'We encountered an internal error. Please try again.',
  ServiceUnavailable: 'Service is unable to handle request.',
  SlowDown: 'Please reduce your request rate.',
  AccessDenied: 'Access Denied',
};

/** Headers that belong to one connection, not to the request: never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'expect', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/** Starts a proxy to `server` on a free loopback port. */
export async function startFaultProxy(server: S3Server): Promise<FaultProxy> {
  const upstream = new URL(server.endpoint);
  const rules: { rule: FaultRule; left: number }[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });
  let port = 0;

  const withoutHopByHop = (headers: http.IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));

  /** Passes the request to the server and its answer back; with `cutAfter`, drops the connection after that many bytes of the answer's body. */
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, cutAfter = Infinity) => {
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: withoutHopByHop(req.headers), agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        if (sent + chunk.length <= cutAfter) {
          sent += chunk.length;
          res.write(chunk);
          return;
        }
        res.write(chunk.subarray(0, cutAfter - sent));
        sent = cutAfter;
        answer.destroy();
        // Ended, not destroyed, so that the client has the headers and part of the body when the connection closes.
        res.socket?.end();
      });
      answer.on('end', () => res.end());
    });
    out.on('error', () => res.socket?.destroy());
    req.pipe(out);
  };

  /** Reads the body up to `limit` bytes (all of it by default), then calls `then`. */
  const readBody = (req: http.IncomingMessage, then: () => void, limit = Infinity) => {
    let received = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      then();
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= limit) finish();
    });
    req.on('end', finish);
  };

  const stop = () => {
    proxy.close();
    for (const socket of sockets) socket.destroy();
  };

  const proxy = http.createServer((req, res) => {
    const request = `${req.method} ${req.url}`;
    const entry = rules.find((r) => r.left > 0 && r.rule.match.test(request));
    if (entry) entry.left--;
    const fault = entry?.rule.fault;
    requests.push({ request, fault: fault?.kind });
    switch (fault?.kind) {
      case undefined:
        return forward(req, res);
      case 'delay':
        return void setTimeout(() => forward(req, res), fault.ms);
      case 'error':
        return readBody(req, () => {
          const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>${MESSAGES[fault.code] ?? fault.code}</Message><RequestId>fault-proxy</RequestId></Error>`;
          res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
          res.end(req.method === 'HEAD' ? undefined : xml);
        });
      case 'reset':
        return void req.socket.destroy();
      case 'cut-upload':
        return readBody(req, () => req.socket.destroy(), fault.afterBytes);
      case 'stop':
        return readBody(req, stop, fault.afterBytes);
      case 'cut-download':
        return forward(req, res, fault.afterBytes);
    }
  });
  proxy.keepAliveTimeout = 60_000;
  proxy.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = () => new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', () => resolve()));
  await listen();
  port = (proxy.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    env: { ...server.env, CARVE_S3_ENDPOINT: endpoint },
    requests,
    inject: (rule) => rules.push({ rule, left: rule.times ?? Infinity }),
    reset: () => {
      rules.length = 0;
      requests.length = 0;
    },
    seen: (match) => requests.filter((r) => match.test(r.request)),
    restart: async () => {
      if (!proxy.listening) await listen();
    },
    close: async () => {
      agent.destroy();
      for (const socket of sockets) socket.destroy();
      if (proxy.listening) await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
