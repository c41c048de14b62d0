/**
 * BLAKE2b with a chosen digest length (RFC 7693), for the `blake2_256_digest` field of the upload
 * form (https://github.com/astral-sh/uv/blob/main/crates/uv-publish/src/lib.rs). Node's OpenSSL offers only BLAKE2b-512, and BLAKE2b-256 is not a
 * truncated BLAKE2b-512: the digest length is part of the parameter block that seeds the state.
 *
 * The compression function is emitted below as a small WebAssembly module, built once at first
 * use. WebAssembly has native 64-bit additions and rotations; plain JavaScript has to split every
 * word into 32-bit halves and runs several times slower, which would make hashing, not the
 * network, the limit of `glx publish`.
 */

/** RFC 7693 §2.6: the SHA-512 initial values. */
const IV = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
];

/** RFC 7693 §2.7: message word schedule; rounds 10 and 11 reuse rows 0 and 1. */
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

const BLOCK = 128;
/** Linear memory: the state h at 0, the byte counter t at 64, the input buffer from 128. */
const COUNTER_AT = 64;
const BUFFER_AT = 128;
const BUFFER_BYTES = 1 << 20;
const PAGES = Math.ceil((BUFFER_AT + BUFFER_BYTES) / 65536);

// WebAssembly opcodes used below (https://webassembly.github.io/spec/core/binary/instructions.html).
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i64Store: 0x37,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Xor: 0x85,
  i64Rotr: 0x8a,
  i64ExtendI32U: 0xad,
} as const;
const I32 = 0x7f;
const I64 = 0x7e;
const VOID = 0x40;

function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return out;
}

function sleb(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  for (;;) {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    const signBit = (byte & 0x40) !== 0;
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...Array.from(text, (ch) => ch.charCodeAt(0))];
}

/**
 * `compress(ptr, inc, last)`: one 128-byte block at `ptr`, after adding `inc` to the counter;
 * `last` marks the final block. Parameters are locals 0–2, v0..v15 are locals 3–18, t is 19 and
 * the message words m0..m15 are 20–35 (loaded once: measured ~20% faster than a load per use).
 */
function compressBody(): number[] {
  const v = (i: number) => 3 + i;
  const t = 19;
  const code: number[] = [];
  const emit = (...bytes: number[]) => code.push(...bytes);
  const memarg = (offset: number) => [3, ...uleb(offset)];
  const message = (index: number) => emit(op.localGet, 20 + index);

  // t += inc (the counter's high word stays 0: no file reaches 2^64 bytes).
  emit(op.i32Const, 0, op.i32Const, 0, op.i64Load, ...memarg(COUNTER_AT), op.localGet, 1, op.i64ExtendI32U, op.i64Add);
  emit(op.localTee, t, op.i64Store, ...memarg(COUNTER_AT));
  for (let i = 0; i < 16; i++) emit(op.localGet, 0, op.i64Load, ...memarg(i * 8), op.localSet, 20 + i);
  for (let i = 0; i < 8; i++) emit(op.i32Const, 0, op.i64Load, ...memarg(i * 8), op.localSet, v(i));
  for (let i = 0; i < 8; i++) emit(op.i64Const, ...sleb(BigInt.asIntN(64, IV[i]!)), op.localSet, v(8 + i));
  emit(op.localGet, v(12), op.localGet, t, op.i64Xor, op.localSet, v(12));
  // v14 = ~v14 on the last block, without a branch: v14 ^ (0 - last).
  emit(op.localGet, v(14), op.i64Const, 0, op.localGet, 2, op.i64ExtendI32U, op.i64Sub, op.i64Xor, op.localSet, v(14));

  const g = (a: number, b: number, c: number, d: number, x: number, y: number) => {
    const rotate = (target: number, left: number, right: number, bits: number) =>
      emit(
        op.localGet,
        v(left),
        op.localGet,
        v(right),
        op.i64Xor,
        op.i64Const,
        ...sleb(BigInt(bits)),
        op.i64Rotr,
        op.localSet,
        v(target),
      );
    const add = (target: number, other: number) =>
      emit(op.localGet, v(target), op.localGet, v(other), op.i64Add, op.localSet, v(target));
    emit(op.localGet, v(a), op.localGet, v(b), op.i64Add);
    message(x);
    emit(op.i64Add, op.localSet, v(a));
    rotate(d, d, a, 32);
    add(c, d);
    rotate(b, b, c, 24);
    emit(op.localGet, v(a), op.localGet, v(b), op.i64Add);
    message(y);
    emit(op.i64Add, op.localSet, v(a));
    rotate(d, d, a, 16);
    add(c, d);
    rotate(b, b, c, 63);
  };
  for (let round = 0; round < 12; round++) {
    const s = SIGMA[round % 10]!;
    g(0, 4, 8, 12, s[0]!, s[1]!);
    g(1, 5, 9, 13, s[2]!, s[3]!);
    g(2, 6, 10, 14, s[4]!, s[5]!);
    g(3, 7, 11, 15, s[6]!, s[7]!);
    g(0, 5, 10, 15, s[8]!, s[9]!);
    g(1, 6, 11, 12, s[10]!, s[11]!);
    g(2, 7, 8, 13, s[12]!, s[13]!);
    g(3, 4, 9, 14, s[14]!, s[15]!);
  }
  for (let i = 0; i < 8; i++) {
    emit(
      op.i32Const,
      0,
      op.i32Const,
      0,
      op.i64Load,
      ...memarg(i * 8),
      op.localGet,
      v(i),
      op.i64Xor,
      op.localGet,
      v(8 + i),
      op.i64Xor,
    );
    emit(op.i64Store, ...memarg(i * 8));
  }
  emit(op.end);
  const body = [...uleb(1), ...uleb(33), I64, ...code];
  return [...uleb(body.length), ...body];
}

/** `blocks(ptr, n)`: n consecutive non-final blocks. */
function blocksBody(): number[] {
  const code = [
    op.block,
    VOID,
    op.loop,
    VOID,
    op.localGet,
    1,
    op.i32Eqz,
    op.brIf,
    1,
    op.localGet,
    0,
    op.i32Const,
    ...sleb(BigInt(BLOCK)),
    op.i32Const,
    0,
    op.call,
    0,
    op.localGet,
    0,
    op.i32Const,
    ...sleb(BigInt(BLOCK)),
    op.i32Add,
    op.localSet,
    0,
    op.localGet,
    1,
    op.i32Const,
    1,
    op.i32Sub,
    op.localSet,
    1,
    op.br,
    0,
    op.end,
    op.end,
    op.end,
  ];
  const body = [...uleb(0), ...code];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const types = [2, 0x60, 3, I32, I32, I32, 0, 0x60, 2, I32, I32, 0];
  const functions = [2, 0, 1];
  const memory = [1, 0x00, ...uleb(PAGES)];
  const exports = [3, ...name('memory'), 0x02, 0, ...name('compress'), 0x00, 0, ...name('blocks'), 0x00, 1];
  const code = [2, ...compressBody(), ...blocksBody()];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(3, functions),
    ...section(5, memory),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

interface Blake2bExports {
  memory: { buffer: ArrayBuffer };
  compress(ptr: number, inc: number, last: number): void;
  blocks(ptr: number, count: number): void;
}

/** The slice of the WebAssembly API used here (the project's lib settings carry no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;
/**
 * Instances whose digest was taken, for the next hasher: each holds a 1 MB buffer, and publishing
 * many small files would otherwise allocate (and collect) one per file.
 */
const spare: Blake2bExports[] = [];
const MAX_SPARE = 16;

export interface Blake2b {
  update(data: Uint8Array): Blake2b;
  /** The digest as lowercase hex; the hasher cannot be used afterwards. */
  digest(): string;
}

/** A streaming BLAKE2b hasher (unkeyed) producing `outputBytes` (1–64) bytes; 32 for BLAKE2b-256. */
export function createBlake2b(outputBytes = 32): Blake2b {
  if (!Number.isInteger(outputBytes) || outputBytes < 1 || outputBytes > 64)
    throw new RangeError('BLAKE2b digest length must be 1 to 64 bytes');
  compiled ??= new wasmApi.Module(moduleBytes());
  const wasm = spare.pop() ?? (new wasmApi.Instance(compiled).exports as Blake2bExports);
  const bytes = new Uint8Array(wasm.memory.buffer);
  const view = new DataView(wasm.memory.buffer);
  // RFC 7693 §2.5: h0 ^= 0x0101kknn (no key, digest length nn).
  for (let i = 0; i < 8; i++)
    view.setBigUint64(i * 8, i === 0 ? IV[0]! ^ BigInt(0x01010000 | outputBytes) : IV[i]!, true);
  view.setBigUint64(COUNTER_AT, 0n, true);
  // Bytes waiting in the buffer. The last block must be compressed with the final flag, so a full
  // buffer is only compressed up to its last block, once more input shows it is not the end.
  let filled = 0;
  let done = false;

  const hasher: Blake2b = {
    update(data) {
      if (done) throw new Error('BLAKE2b: update after digest');
      let offset = 0;
      while (offset < data.length) {
        if (filled === BUFFER_BYTES) {
          wasm.blocks(BUFFER_AT, BUFFER_BYTES / BLOCK - 1);
          bytes.copyWithin(BUFFER_AT, BUFFER_AT + BUFFER_BYTES - BLOCK, BUFFER_AT + BUFFER_BYTES);
          filled = BLOCK;
        }
        const take = Math.min(BUFFER_BYTES - filled, data.length - offset);
        bytes.set(data.subarray(offset, offset + take), BUFFER_AT + filled);
        filled += take;
        offset += take;
      }
      return hasher;
    },
    digest() {
      if (done) throw new Error('BLAKE2b: digest called twice');
      done = true;
      const full = filled === 0 ? 0 : Math.floor((filled - 1) / BLOCK);
      wasm.blocks(BUFFER_AT, full);
      const lastAt = BUFFER_AT + full * BLOCK;
      const rest = filled - full * BLOCK;
      bytes.fill(0, lastAt + rest, lastAt + BLOCK);
      wasm.compress(lastAt, rest, 1);
      const hex = Buffer.from(bytes.subarray(0, outputBytes)).toString('hex');
      // The next hasher re-seeds the state and the counter, so nothing of this one carries over.
      if (spare.length < MAX_SPARE) spare.push(wasm);
      return hex;
    },
  };
  return hasher;
}
