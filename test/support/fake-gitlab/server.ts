/**
 * The request pipeline: record → match → fault → authenticate → scope → handler → write. Handlers
 * return data (`Reply`); only this file touches sockets.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, checkScopes } from './auth.js';
import type {
  AuthRecord,
  RecordedBody,
  RecordedRequest,
  RouteContext,
  RouteDefinition,
  Settings,
  UnexpectedRequest,
  UploadRecord,
} from './context.js';
import { describeFault, type Fault, faultReply, takeFault } from './faults.js';
import { createMultipartParser, multipartBoundary } from './multipart.js';
import { errorReply, messageReply, type Reply, unknownRoute } from './reply.js';
import { matchRoute, normaliseRouteSpec } from './router.js';
import type { FakeState } from './state.js';

export interface PipelineDeps {
  state: FakeState;
  settings: Settings;
  routes: RouteDefinition[];
  baseUrl(): string;
  now(): Date;
  requests: RecordedRequest[];
  unexpected: UnexpectedRequest[];
  uploads: UploadRecord[];
  faults: Fault[];
  /** Normalised route specs the test declared, or undefined when every known route is allowed (the demo). */
  allowed(): Set<string> | undefined;
  sleep(ms: number): Promise<void>;
  isClosed(): boolean;
  /** Called once per request, when it has been answered (or reset). */
  onAnswered?(request: RecordedRequest): void;
}

/** Bodies above this are counted and hashed but not kept (only uploads may be large). */
const MAX_BUFFERED_BODY = 16 * 1024 * 1024;

interface BufferedBody {
  record: RecordedBody;
  bytes?: Buffer;
}

async function readBody(req: IncomingMessage): Promise<BufferedBody> {
  const hash = createHash('sha256');
  let size = 0;
  let chunks: Buffer[] | undefined = [];
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    size += buffer.length;
    if (chunks && size <= MAX_BUFFERED_BODY) chunks.push(buffer);
    else chunks = undefined;
  }
  const record: RecordedBody = { size, sha256: hash.digest('hex') };
  return chunks ? { record, bytes: Buffer.concat(chunks) } : { record };
}

function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) out[key] = value;
  return out;
}

/** Query parameters merged with the body's JSON, form or multipart fields (Grape's `params`). */
function parseInput(
  req: IncomingMessage,
  body: BufferedBody,
  query: URLSearchParams,
): { input: Record<string, unknown> } | { problem: string } {
  const input: Record<string, unknown> = queryObject(query);
  const bytes = body.bytes;
  if (!bytes || bytes.length === 0) return { input };
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const text = bytes.toString('utf8');
  if (type.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      body.record.json = parsed;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(input, parsed);
      return { input };
    } catch {
      body.record.text = text.slice(0, 4096);
      return { problem: 'the body is not valid JSON' };
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    const form = queryObject(new URLSearchParams(text));
    body.record.json = form;
    Object.assign(input, form);
    return { input };
  }
  const boundary = multipartBoundary(req.headers['content-type']);
  if (boundary) {
    const fields: Record<string, string> = {};
    try {
      const parser = createMultipartParser(boundary, (part) => {
        const parts: Buffer[] = [];
        return {
          data: (chunk) => parts.push(chunk),
          end: () => {
            fields[part.name] = Buffer.concat(parts).toString('utf8');
          },
        };
      });
      parser.write(bytes);
      parser.end();
    } catch (error) {
      return { problem: `malformed multipart body: ${(error as Error).message}` };
    }
    body.record.json = fields;
    Object.assign(input, fields);
    return { input };
  }
  body.record.text = text.slice(0, 4096);
  return { input };
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const NO_AUTH: AuthRecord = { via: 'none', outcome: 'anonymous', ignored: [], summary: 'not authenticated' };

function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply, truncate: boolean): void {
  if (res.destroyed || res.writableEnded) return;
  const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body);
  const headers: Record<string, string> = {
    'x-request-id': createHash('sha256').update(`${Date.now()}:${Math.random()}`).digest('hex').slice(0, 26),
    ...reply.headers,
    'content-length': String(body.length),
  };
  if (truncate) {
    res.writeHead(reply.status, headers);
    if (body.length > 1) {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    } else {
      res.flushHeaders();
      res.socket?.destroy();
    }
    return;
  }
  res.writeHead(reply.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Lets the body arrive until `bytes` of it have been read (or it ends), for a reset mid-upload. */
function readUntil(req: IncomingMessage, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= bytes) done();
    };
    const done = () => {
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.pause();
      resolve();
    };
    req.on('data', onData);
    req.on('end', done);
    req.on('close', done);
  });
}

function resetConnection(req: IncomingMessage): void {
  const socket = req.socket as IncomingMessage['socket'] & { resetAndDestroy?: () => void };
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export function createPipeline(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let seq = 0;

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {
      // The client went away; nothing to answer.
    });
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const cut = rawUrl.indexOf('?');
    const path = cut < 0 ? rawUrl : rawUrl.slice(0, cut);
    const query = new URLSearchParams(cut < 0 ? '' : rawUrl.slice(cut + 1));
    const match = matchRoute(deps.routes, method, path);
    const record: RecordedRequest = {
      seq: ++seq,
      method,
      rawUrl,
      path,
      query: queryObject(query),
      route: match ? match.key : null,
      params: match ? match.params : {},
      headers: headerRecord(req),
      auth: NO_AUTH,
    };
    deps.requests.push(record);
    const markUnexpected = (reason: string) => deps.unexpected.push({ request: record, reason });

    if (!match) markUnexpected('unknown route');
    else {
      const allowed = deps.allowed();
      if (allowed && !allowed.has(normaliseRouteSpec(match.key))) markUnexpected(`route ${match.key} not declared`);
    }

    const finish = (reply: Reply, truncate = false) => {
      record.status = reply.status;
      record.durationMs = Date.now() - started;
      deps.onAnswered?.(record);
      if (deps.isClosed()) return;
      writeReply(req, res, reply, truncate);
      // Answered before reading everything (an early 401 on an upload): drain so the client sees the answer.
      if (!req.complete) req.resume();
    };

    if (deps.settings.latencyMs > 0) await deps.sleep(deps.settings.latencyMs);
    const fault = takeFault(deps.faults, record);
    let truncate = false;
    if (fault) {
      record.fault = describeFault(fault);
      if (fault.kind === 'delay') await deps.sleep(fault.ms);
      else if (fault.kind === 'truncate') truncate = true;
      else if (fault.kind === 'reset') {
        if (fault.afterBytes) await readUntil(req, fault.afterBytes);
        record.durationMs = Date.now() - started;
        deps.onAnswered?.(record);
        resetConnection(req);
        return;
      } else {
        const reply = faultReply(fault, deps.now());
        if (reply) return finish(reply);
      }
    }
    if (deps.isClosed()) return;

    const route = match?.route;
    let body: BufferedBody | undefined;
    if (!route?.streaming) {
      body = await readBody(req);
      if (body.record.size > 0) record.body = body.record;
    }
    if (!match || !route) return finish(unknownRoute(), truncate);

    const outcome = authenticate(deps.state, req.headers, query, route.auth, deps.now(), path);
    record.auth = outcome.record;
    if (outcome.reply) return finish(outcome.reply, truncate);
    if (outcome.principal.kind === 'user') {
      const denied = checkScopes(outcome.principal.token, method, route.extraScopes);
      if (denied) return finish(denied, truncate);
    }

    let input: Record<string, unknown> = queryObject(query);
    if (body) {
      const parsed = parseInput(req, body, query);
      if ('problem' in parsed) {
        markUnexpected(parsed.problem);
        return finish(errorReply(400, parsed.problem), truncate);
      }
      input = parsed.input;
    }

    const ctx: RouteContext = {
      state: deps.state,
      settings: deps.settings,
      baseUrl: deps.baseUrl(),
      url: new URL(rawUrl, deps.baseUrl()),
      method,
      params: match.params,
      input,
      principal: outcome.principal,
      auth: outcome.record,
      req,
      record,
      markUnexpected,
      recordUpload: (upload) => deps.uploads.push(upload),
      now: deps.now,
    };
    let reply: Reply;
    try {
      reply = await route.handler(ctx);
    } catch (error) {
      const err = error as Error;
      markUnexpected(`the fake crashed: ${err.stack ?? err.message}`);
      reply = messageReply(500, '500 Internal Server Error');
    }
    finish(reply, truncate);
  };
}
