/**
 * A streaming multipart/form-data parser (RFC 7578 / RFC 2046 §5.1). It holds at most one header
 * block and a boundary-sized tail in memory, so a 1 GB upload streams through in constant space.
 */

export interface PartInfo {
  /** The `name` of Content-Disposition. */
  name: string;
  /** The `filename`, when the part is a file. */
  filename?: string;
  contentType?: string;
  headers: Record<string, string>;
}

export interface PartSink {
  data(chunk: Buffer): void;
  end(): void;
}

export interface MultipartParser {
  write(chunk: Buffer): void;
  /** Throws when the body stopped before the closing boundary. */
  end(): void;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary of a `multipart/form-data` Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  if (!/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const params = parseHeaderParams(contentType);
  const boundary = params.boundary;
  return boundary && boundary.length <= 70 ? boundary : undefined;
}

/** `form-data; name="content"; filename="a.whl"` → `{ name: 'content', filename: 'a.whl' }`. */
export function parseHeaderParams(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  const pattern = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(pattern)) {
    const key = (match[1] ?? '').toLowerCase();
    const quoted = match[2];
    params[key] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (match[3] ?? '').trim();
  }
  return params;
}

function parsePartHeaders(block: string): PartInfo {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed part header line: ${JSON.stringify(line)}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const disposition = headers['content-disposition'];
  if (!disposition || !/^\s*form-data\s*(;|$)/i.test(disposition)) {
    throw new Error('part without Content-Disposition: form-data');
  }
  const params = parseHeaderParams(disposition);
  if (params.name === undefined) throw new Error('part without a name');
  const info: PartInfo = { name: params.name, headers };
  if (params.filename !== undefined) info.filename = params.filename;
  if (headers['content-type'] !== undefined) info.contentType = headers['content-type'];
  return info;
}

type Phase = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

/** `onPart` is called for each part and returns where that part's bytes go. */
export function createMultipartParser(boundary: string, onPart: (part: PartInfo) => PartSink): MultipartParser {
  // Every delimiter but the first is preceded by CRLF; starting with a virtual CRLF makes them all alike.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let pending: Buffer = Buffer.from(CRLF);
  let phase: Phase = 'preamble';
  let sink: PartSink | undefined;

  function step(): boolean {
    switch (phase) {
      case 'preamble': {
        const at = pending.indexOf(delimiter);
        if (at < 0) {
          pending = pending.subarray(Math.max(0, pending.length - delimiter.length + 1));
          return false;
        }
        pending = pending.subarray(at + delimiter.length);
        phase = 'after-delimiter';
        return true;
      }
      case 'after-delimiter': {
        if (pending.length < 2) return false;
        if (pending[0] === 0x2d && pending[1] === 0x2d) {
          phase = 'done';
          pending = Buffer.alloc(0);
          return false;
        }
        // Transport padding (linear white space) may sit before the CRLF.
        let i = 0;
        while (i < pending.length && (pending[i] === 0x20 || pending[i] === 0x09)) i++;
        if (pending.length < i + 2) return false;
        if (pending[i] !== 0x0d || pending[i + 1] !== 0x0a) throw new Error('boundary not followed by CRLF');
        pending = pending.subarray(i + 2);
        phase = 'headers';
        return true;
      }
      case 'headers': {
        let block: string;
        if (pending.length >= 2 && pending[0] === 0x0d && pending[1] === 0x0a) {
          block = '';
          pending = pending.subarray(2);
        } else {
          const at = pending.indexOf(HEADER_END);
          if (at < 0) {
            if (pending.length > MAX_HEADER_BYTES) throw new Error('part headers too large');
            return false;
          }
          block = pending.subarray(0, at).toString('utf8');
          pending = pending.subarray(at + HEADER_END.length);
        }
        sink = onPart(parsePartHeaders(block));
        phase = 'body';
        return true;
      }
      case 'body': {
        const at = pending.indexOf(delimiter);
        if (at < 0) {
          // Keep a tail that could be the start of a delimiter split across chunks.
          const safe = pending.length - delimiter.length + 1;
          if (safe > 0) {
            sink?.data(pending.subarray(0, safe));
            pending = pending.subarray(safe);
          }
          return false;
        }
        if (at > 0) sink?.data(pending.subarray(0, at));
        sink?.end();
        sink = undefined;
        pending = pending.subarray(at + delimiter.length);
        phase = 'after-delimiter';
        return true;
      }
      case 'done':
        pending = Buffer.alloc(0);
        return false;
    }
  }

  return {
    write(chunk: Buffer): void {
      if (phase === 'done') return; // epilogue
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (step()) {
        // keep stepping while progress is made
      }
    },
    end(): void {
      if (phase !== 'done') throw new Error('multipart body ended before the closing boundary');
    },
  };
}
