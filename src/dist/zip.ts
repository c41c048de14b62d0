/**
 * Just enough of ZIP (APPNOTE.TXT 6.3, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT)
 * to read one member of a wheel or zip sdist: the end of central directory record (ZIP64 too),
 * the central directory, one local header, then stored or deflated data. Only the central
 * directory and the member itself are read, whatever the size of the archive.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderAt: number;
}

export class ZipError extends Error {
  override readonly name = 'ZipError';
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** A central directory larger than this is not a Python distribution. */
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new ZipError('truncated archive');
    done += bytesRead;
  }
  return buffer;
}

function bigToNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('ZIP64 value too large');
  return Number(value);
}

async function centralDirectory(
  handle: FileHandle,
  fileSize: number,
): Promise<{ at: number; size: number; count: number }> {
  // The EOCD record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  const tailLength = Math.min(fileSize, 22 + 65535);
  const tail = await readAt(handle, fileSize - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('no end of central directory record (not a zip file)');
  let count = tail.readUInt16LE(eocd + 10);
  let size = tail.readUInt32LE(eocd + 12);
  let at = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === 0xffffffff || at === 0xffffffff) {
    const locatorAt = eocd - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== EOCD64_LOCATOR) throw new ZipError('ZIP64 locator missing');
    const record64At = bigToNumber(tail.readBigUInt64LE(locatorAt + 8));
    const record = await readAt(handle, record64At, 56);
    if (record.readUInt32LE(0) !== EOCD64) throw new ZipError('ZIP64 end of central directory record missing');
    count = bigToNumber(record.readBigUInt64LE(32));
    size = bigToNumber(record.readBigUInt64LE(40));
    at = bigToNumber(record.readBigUInt64LE(48));
  }
  if (at + size > fileSize) throw new ZipError('central directory points past the end of the file');
  if (size > MAX_CENTRAL_DIRECTORY) throw new ZipError('central directory too large');
  return { at, size, count };
}

function parseEntries(directory: Buffer, count: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let offset = 0;
  for (let n = 0; n < count; n++) {
    if (offset + 46 > directory.length || directory.readUInt32LE(offset) !== CENTRAL)
      throw new ZipError('corrupt central directory');
    const flags = directory.readUInt16LE(offset + 8);
    const method = directory.readUInt16LE(offset + 10);
    const crc = directory.readUInt32LE(offset + 16);
    let compressedSize = directory.readUInt32LE(offset + 20);
    let size = directory.readUInt32LE(offset + 24);
    const nameLength = directory.readUInt16LE(offset + 28);
    const extraLength = directory.readUInt16LE(offset + 30);
    const commentLength = directory.readUInt16LE(offset + 32);
    let localHeaderAt = directory.readUInt32LE(offset + 42);
    const nameStart = offset + 46;
    // Bit 11: UTF-8 names; others are CP437, which agrees with UTF-8 on the ASCII names wheels use.
    const name = directory.toString(flags & 0x800 ? 'utf8' : 'latin1', nameStart, nameStart + nameLength);
    // ZIP64 extended information (header 0x0001) holds the fields that overflowed, in this order.
    let extra = nameStart + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = directory.readUInt16LE(extra);
      const length = directory.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        const next = () => {
          if (field + 8 > extra + 4 + length) throw new ZipError('corrupt ZIP64 extra field');
          const value = bigToNumber(directory.readBigUInt64LE(field));
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderAt === 0xffffffff) localHeaderAt = next();
      }
      extra += 4 + length;
    }
    entries.push({ name, method, flags, crc, compressedSize, size, localHeaderAt });
    offset = extraEnd + commentLength;
  }
  return entries;
}

export interface ZipArchive {
  entries: ZipEntry[];
  /** The uncompressed bytes of one member; refuses members larger than `limit`. */
  read(entry: ZipEntry, limit: number): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openZip(file: string): Promise<ZipArchive> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const { at, size, count } = await centralDirectory(handle, fileSize);
    const entries = parseEntries(await readAt(handle, at, size), count);
    return {
      entries,
      async read(entry, limit) {
        if (entry.flags & 0x1) throw new ZipError(`${entry.name} is encrypted`);
        if (entry.size > limit) throw new ZipError(`${entry.name} is larger than ${limit} bytes`);
        const local = await readAt(handle, entry.localHeaderAt, 30);
        if (local.readUInt32LE(0) !== LOCAL) throw new ZipError(`no local header for ${entry.name}`);
        const dataAt = entry.localHeaderAt + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
        if (dataAt + entry.compressedSize > fileSize) throw new ZipError(`${entry.name} runs past the end of the file`);
        const raw = await readAt(handle, dataAt, entry.compressedSize);
        let data: Buffer;
        if (entry.method === 0) data = raw;
        else if (entry.method === 8) {
          try {
            data = inflateRawSync(raw, { maxOutputLength: Math.max(1, limit) });
          } catch (error) {
            throw new ZipError(`${entry.name} does not inflate: ${(error as Error).message}`);
          }
        } else
          throw new ZipError(
            `${entry.name} uses compression method ${entry.method} (only stored and deflate are read)`,
          );
        if (data.length !== entry.size)
          throw new ZipError(`${entry.name} is ${data.length} bytes, the directory says ${entry.size}`);
        if (crc32(data) >>> 0 !== entry.crc) throw new ZipError(`${entry.name} fails its CRC-32 check`);
        return data;
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
