/**
 * The legacy upload form (https://docs.gitlab.com/api/packages/pypi/, https://github.com/astral-sh/uv/blob/main/crates/uv-publish/src/lib.rs) as a multipart/form-data
 * body streamed from disk. The file part comes before the digest fields, which multipart allows
 * (fields are unordered), so the digests are computed while the file streams: one read per file,
 * and memory that does not grow with the file. The length is known in advance (hex digests have
 * a fixed width), so the request carries Content-Length, as uv's does, not chunked encoding.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { GlxError } from '../errors.js';
import { CHUNK_BYTES, createDigests, type Digests } from './digest.js';
import { uploadFields } from './metadata.js';
import type { Distribution } from './read.js';

export interface UploadBody {
  contentType: string;
  /** Exact byte length of every body `open()` produces. */
  length: number;
  /**
   * A fresh body for one attempt: opens the file again, hashes while streaming, and reports
   * the file bytes handed to the connection so far.
   */
  open(onProgress?: (sent: number) => void): AsyncIterable<Uint8Array>;
  /** The digests of the last attempt that streamed the whole file. */
  digests(): Digests | undefined;
}

/** WHATWG multipart/form-data encoding of a name or filename in Content-Disposition. */
function quote(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

function textPart(boundary: string, name: string, value: string): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`;
}

const HEX_DIGEST_LENGTH = 64;

export function uploadBody(dist: Distribution, boundary = `glx-${randomBytes(16).toString('hex')}`): UploadBody {
  const fields = uploadFields({ metadata: dist.metadata, filetype: dist.filetype, pyversion: dist.pyversion });
  const head = Buffer.from(
    fields.map(([name, value]) => textPart(boundary, name, value)).join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${quote(dist.fileName)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    'utf8',
  );
  const tail = (digests: Digests) =>
    Buffer.from(
      `\r\n${textPart(boundary, 'sha256_digest', digests.sha256)}${textPart(boundary, 'blake2_256_digest', digests.blake2_256)}--${boundary}--\r\n`,
      'utf8',
    );
  const placeholder = '0'.repeat(HEX_DIGEST_LENGTH);
  const length = head.length + dist.size + tail({ sha256: placeholder, blake2_256: placeholder }).length;
  let last: Digests | undefined;

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    digests: () => last,
    async *open(onProgress) {
      yield head;
      const digests = createDigests();
      let sent = 0;
      onProgress?.(0);
      try {
        // A small file gets a buffer of its own size, not CHUNK_BYTES: less to allocate and collect per file.
        for await (const chunk of createReadStream(dist.path, {
          highWaterMark: Math.min(CHUNK_BYTES, Math.max(dist.size, 64 * 1024)),
        })) {
          const bytes = chunk as Buffer;
          sent += bytes.length;
          if (sent > dist.size) break;
          digests.update(bytes);
          yield bytes;
          onProgress?.(sent);
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new GlxError(
          'FILE_UNREADABLE',
          `cannot read ${dist.display} (${code})`,
          'Check that the file still exists and is readable.',
        );
      }
      if (sent !== dist.size) {
        throw new GlxError(
          'FILE_UNREADABLE',
          `${dist.display} changed while it was being uploaded (${dist.size} bytes before, ${sent} now)`,
          'Build the files first, then publish; do not rebuild dist/ during an upload.',
        );
      }
      last = digests.digest();
      yield tail(last);
    },
  };
}
