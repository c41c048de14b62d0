/**
 * The digests the upload form carries (https://github.com/astral-sh/uv/blob/main/crates/uv-publish/src/lib.rs): sha256, which GitLab stores and
 * advertises in its simple pages, and blake2b-256, which uv and twine also send. Both are fed
 * from the same chunks, so a file is read once.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createBlake2b } from './blake2b.js';

export interface Digests {
  sha256: string;
  blake2_256: string;
}

export interface DigestStream {
  update(chunk: Uint8Array): void;
  digest(): Digests;
}

export function createDigests(): DigestStream {
  const sha256 = createHash('sha256');
  const blake2 = createBlake2b(32);
  return {
    update(chunk) {
      sha256.update(chunk);
      blake2.update(chunk);
    },
    digest: () => ({ sha256: sha256.digest('hex'), blake2_256: blake2.digest() }),
  };
}

/** Read size for hashing and uploading: large enough to keep syscalls and hash calls cheap, small enough not to matter in memory. */
export const CHUNK_BYTES = 1024 * 1024;

/** Both digests of a file, in one streaming pass. */
export async function hashFile(file: string): Promise<Digests & { size: number }> {
  const digests = createDigests();
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    digests.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { ...digests.digest(), size };
}
