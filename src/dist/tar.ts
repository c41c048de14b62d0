/**
 * Finds one member of a gzipped tar archive while it streams, and stops reading there: PKG-INFO
 * sits near the start of an sdist, so a large sdist is not decompressed to the end. Reads ustar
 * (with its name prefix), GNU long names (`L`) and pax `path` records (POSIX.1-2001), which is
 * what Python's tarfile, setuptools and uv write.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

export class TarError extends Error {
  override readonly name = 'TarError';
}

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const slice = header.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return slice.toString('utf8', 0, nul < 0 ? slice.length : nul);
}

/** Octal, or base-256 when the high bit of the first byte is set (GNU, for sizes ≥ 8 GiB). */
function numeric(header: Buffer, start: number, length: number): number {
  if ((header[start]! & 0x80) !== 0) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + header[i]!;
    return value;
  }
  const text = field(header, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`bad number ${JSON.stringify(text)} in a tar header`);
  return Number.parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === numeric(header, 148, 8);
}

/** pax extended header records: `<length> <key>=<value>\n`. */
function paxPath(data: Buffer): string | undefined {
  let offset = 0;
  let path: string | undefined;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(data.toString('ascii', offset, space));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, offset + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    offset += length;
  }
  return path;
}

export interface TarMember {
  path: string;
  data: Buffer;
}

/**
 * The first regular file whose path satisfies `match`, or undefined when the archive ends first.
 * `limit` caps the member's size (and the size of long-name and pax records).
 */
export async function findInTarGz(
  file: string,
  match: (path: string) => boolean,
  limit: number,
): Promise<TarMember | undefined> {
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);

  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  const take = (length: number): Buffer => {
    const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered);
    const out = all.subarray(0, length);
    const rest = all.subarray(length);
    buffered = rest.length > 0 ? [rest] : [];
    bufferedBytes = rest.length;
    return out;
  };

  // State of the parse: waiting for a header, or inside a member's data (kept or skipped).
  let skip = 0;
  let collect: { path: string; size: number; kind: 'file' | 'long-name' | 'pax' } | undefined;
  let longName: string | undefined;
  let paxName: string | undefined;
  let zeroBlocks = 0;

  try {
    for await (const chunk of gunzip) {
      let data = chunk as Buffer;
      if (skip > 0) {
        const skipped = Math.min(skip, data.length);
        skip -= skipped;
        data = data.subarray(skipped);
      }
      if (data.length > 0) {
        buffered.push(data);
        bufferedBytes += data.length;
      }
      for (;;) {
        if (skip > 0) {
          const skipped = Math.min(skip, bufferedBytes);
          take(skipped);
          skip -= skipped;
          if (skip > 0) break;
        }
        if (collect) {
          const padded = Math.ceil(collect.size / BLOCK) * BLOCK;
          if (bufferedBytes < collect.size) break;
          const body = Buffer.from(take(collect.size));
          skip = padded - collect.size;
          const done = collect;
          collect = undefined;
          if (done.kind === 'file') return { path: done.path, data: body };
          if (done.kind === 'long-name') longName = field(body, 0, body.length);
          else paxName = paxPath(body) ?? paxName;
          continue;
        }
        if (bufferedBytes < BLOCK) break;
        const header = take(BLOCK);
        if (header.every((byte) => byte === 0)) {
          if (++zeroBlocks >= 2) return undefined;
          continue;
        }
        zeroBlocks = 0;
        if (!checksumOk(header)) throw new TarError('bad tar header checksum (not a tar archive?)');
        const size = numeric(header, 124, 12);
        const type = String.fromCharCode(header[156]!);
        const prefix = field(header, 257, 6).startsWith('ustar') ? field(header, 345, 155) : '';
        const path = (
          paxName ??
          longName ??
          (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100))
        ).replace(/^\.\//, '');
        const padded = Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'L' || type === 'x') {
          if (size > limit) throw new TarError('tar extended header too large');
          collect = { path: '', size, kind: type === 'L' ? 'long-name' : 'pax' };
          continue;
        }
        longName = undefined;
        paxName = undefined;
        if ((type === '0' || type === '\0' || type === '7') && match(path)) {
          if (size > limit) throw new TarError(`${path} is larger than ${limit} bytes`);
          collect = { path, size, kind: 'file' };
          continue;
        }
        skip = padded;
      }
    }
  } catch (error) {
    if (error instanceof TarError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
      throw new TarError(`not a valid gzip stream (${(error as Error).message})`);
    throw error;
  } finally {
    source.unpipe(gunzip);
    source.destroy();
    gunzip.destroy();
  }
  if (collect || skip > 0 || bufferedBytes > 0) throw new TarError('the archive ends in the middle of a member');
  return undefined;
}
