import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createBlake2b } from '../../src/dist/blake2b.js';

/** Deterministic bytes both sides can generate: byte i is (i * 31 + 7) mod 251. */
function pattern(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) % 251;
  return out;
}

/** Python's hashlib.blake2b(digest_size=32) of pattern(n) for each n: the reference uv and twine agree with. */
function pythonDigests(lengths: number[]): string[] {
  const script =
    'import hashlib,sys\nfor n in map(int, sys.argv[1:]):\n    print(hashlib.blake2b(bytes((i * 31 + 7) % 251 for i in range(n)), digest_size=32).hexdigest())';
  const result = spawnSync('python3', ['-c', script, ...lengths.map(String)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim().split('\n');
}

const MiB = 1024 * 1024;

describe('BLAKE2b', () => {
  test('BLAKE2b-256 matches Python hashlib at block and buffer boundaries', () => {
    const lengths = [
      0,
      1,
      3,
      127,
      128,
      129,
      255,
      256,
      257,
      1000,
      MiB - 1,
      MiB,
      MiB + 1,
      MiB + 127,
      MiB + 128,
      MiB + 129,
      2 * MiB + 5,
    ];
    const expected = pythonDigests(lengths);

    const ours = lengths.map((length) => createBlake2b(32).update(pattern(length)).digest());

    expect(ours).toEqual(expected);
  });

  test('the digest does not depend on how the input is cut into chunks', () => {
    const data = pattern(3 * MiB + 77);
    const whole = createBlake2b(32).update(data).digest();

    for (const size of [1, 7, 128, 129, 4096, 65_537, MiB, MiB + 3]) {
      const hasher = createBlake2b(32);
      for (let at = 0; at < data.length; at += size) hasher.update(data.subarray(at, at + size));
      expect(hasher.digest(), `chunks of ${size}`).toBe(whole);
    }
  });

  test('with a 64-byte digest it agrees with OpenSSL BLAKE2b-512, and with RFC 7693 Appendix A', () => {
    for (const length of [0, 1, 128, 129, 5000, MiB + 1]) {
      const data = pattern(length);
      expect(createBlake2b(64).update(data).digest()).toBe(createHash('blake2b512').update(data).digest('hex'));
    }
    expect(createBlake2b(64).update(Buffer.from('abc')).digest()).toBe(
      'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
    );
  });

  test('hashers that reuse a finished one, interleaved and of both lengths, still agree with OpenSSL', () => {
    const lengths = [MiB + 300, 0, 129, 5000, 2 * MiB + 1, 1];
    const hashers = lengths.map(() => createBlake2b(64));
    // Finish some, start more (which take the finished ones' instances), and feed all in turns.
    const first = lengths.slice(0, 3).map((length, i) => hashers[i]!.update(pattern(length)).digest());
    const later = lengths.slice(3).map(() => createBlake2b(64));
    for (let offset = 0; offset < 3 * MiB; offset += 700_001) {
      for (const [i, hasher] of later.entries())
        hasher.update(pattern(lengths[3 + i]!).subarray(offset, offset + 700_001));
    }

    expect([...first, ...later.map((h) => h.digest())]).toEqual(
      lengths.map((length) => createHash('blake2b512').update(pattern(length)).digest('hex')),
    );
  });

  test('refuses a digest length outside 1 to 64 bytes, and use after digest', () => {
    expect(() => createBlake2b(0)).toThrow(RangeError);
    expect(() => createBlake2b(65)).toThrow(RangeError);
    const hasher = createBlake2b(32);
    hasher.digest();
    expect(() => hasher.update(Buffer.from('x'))).toThrow(/after digest/);
  });
});
