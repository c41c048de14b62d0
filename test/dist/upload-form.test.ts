import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readDistribution } from '../../src/dist/read.js';
import { uploadBody } from '../../src/dist/upload-form.js';
import { GlxError } from '../../src/errors.js';
import { buildDist, pythonBlake2b256 } from '../support/dists.js';
import { createMultipartParser, multipartBoundary } from '../support/fake-gitlab/multipart.js';
import { tempDir } from '../support/test-deps.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Parses with the stand-in's multipart parser: every part, in order, with its filename. */
function parts(body: Buffer, contentType: string): Array<{ name: string; filename?: string; value: Buffer }> {
  const out: Array<{ name: string; filename?: string; value: Buffer }> = [];
  const parser = createMultipartParser(multipartBoundary(contentType)!, (part) => {
    const chunks: Buffer[] = [];
    return {
      data: (chunk) => chunks.push(chunk),
      end: () =>
        out.push({
          name: part.name,
          ...(part.filename ? { filename: part.filename } : {}),
          value: Buffer.concat(chunks),
        }),
    };
  });
  parser.write(body);
  parser.end();
  return out;
}

async function wheel(padding = 200_000) {
  const file = await buildDist(tmp.dir, {
    kind: 'wheel',
    name: 'acme-form',
    version: `1.0.${padding}`,
    padding,
    compression: 'stored',
  });
  const result = await readDistribution(file, 'dist/x.whl');
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.dist;
}

describe('the upload form', () => {
  test('is exactly as long as announced, with the file part before the digests of its bytes', async () => {
    const dist = await wheel();
    const form = uploadBody(dist);

    const body = await collect(form.open());
    const fields = parts(body, form.contentType);

    expect(body.length).toBe(form.length);
    const names = fields.map((part) => part.name);
    expect(names.slice(-3)).toEqual(['content', 'sha256_digest', 'blake2_256_digest']);
    const content = fields.find((part) => part.name === 'content')!;
    expect(content.filename).toBe(dist.fileName);
    expect(content.value.equals(readFileSync(dist.path))).toBe(true);
    const sha256 = createHash('sha256').update(readFileSync(dist.path)).digest('hex');
    expect(fields.find((part) => part.name === 'sha256_digest')?.value.toString()).toBe(sha256);
    expect(fields.find((part) => part.name === 'blake2_256_digest')?.value.toString()).toBe(
      await pythonBlake2b256(dist.path),
    );
    expect(form.digests()).toEqual({ sha256, blake2_256: await pythonBlake2b256(dist.path) });
  });

  test('opens the file again for every attempt and yields the same bytes', async () => {
    const dist = await wheel(50_000);
    const form = uploadBody(dist, 'fixed-boundary');
    const progress: number[] = [];

    const first = await collect(form.open());
    const second = await collect(form.open((sent) => progress.push(sent)));

    expect(second.equals(first)).toBe(true);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(dist.size);
  });

  test('a file that changes size between reading and uploading fails instead of sending a wrong length', async () => {
    const dist = await wheel(10_000);
    const form = uploadBody(dist);
    appendFileSync(dist.path, 'grown');

    const error = await collect(form.open()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(GlxError);
    expect((error as GlxError).code).toBe('FILE_UNREADABLE');
    expect((error as GlxError).message).toMatch(/changed while it was being uploaded/);
  });
});
