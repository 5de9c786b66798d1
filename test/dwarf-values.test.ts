// Unit tests of the expression evaluator (every operation class, pieces, errors) and the value
// formatter (gdb's conventions for each kind of type, partial values, children), on hand-made
// expressions and types. The fixtures' real variables are checked against gdb in dwarf-gdb.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, evaluateValue, type ExprContext, type Location } from '../core/dwarf/expr';
import { DwarfError } from '../core/dwarf/reader';
import { ATE } from '../core/dwarf/constants';
import { typeName, type Type } from '../core/dwarf/types';
import { children, childCount, formatFloat, formatVal, formatValue, hasChildren, type Value } from '../core/dwarf/values';
import { fetch } from '../core/dwarf/variables';
import type { Frame } from '../core/dwarf/index';
import { fixture, mem32Reader, memReader, runTo } from './fixtures/dwarf/support';

const regs = new Map<number, number>([[2, 0x80010000], [8, 0x80010040], [10, 0xfffffff6], [11, 7]]);
const memory = new Map<number, number>();
for (let i = 0; i < 64; i++) memory.set(0x80010000 + i, (i * 17 + 3) & 0xff);

const ctx: ExprContext = {
  reg: (n) => regs.get(n),
  mem: (addr, size) => {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const b = memory.get(addr + i);
      if (b === undefined) return undefined;
      v = v * 256 + b;
    }
    return v;
  },
  frameBase: () => 0x80010020,
  cfa: () => 0x80010030,
  entryValue: (e) => (e.length === 1 && e[0] === 0x5a ? 42 : undefined),
  indexedAddr: (i) => (i === 1 ? 0x80002000 : undefined),
};

const ev = (...bytes: number[]): Location => evaluate(Uint8Array.from(bytes), ctx, 'test');
const val = (...bytes: number[]): number | undefined => evaluateValue(Uint8Array.from(bytes), ctx, 'test');

test('expressions: constants, stack operations and arithmetic on the 32-bit generic type', () => {
  assert.deepEqual(ev(0x03, 0x78, 0x56, 0x34, 0x12), { kind: 'memory', addr: 0x12345678 }, 'DW_OP_addr');
  assert.equal(val(0x30 + 5, 0x9f), 5, 'lit5');
  assert.equal(val(0x08, 0xff, 0x9f), 255, 'const1u');
  assert.equal(val(0x09, 0xff, 0x9f), 0xffffffff, 'const1s -1');
  assert.equal(val(0x0a, 0x34, 0x12, 0x9f), 0x1234, 'const2u');
  assert.equal(val(0x0b, 0x00, 0x80, 0x9f), 0xffff8000, 'const2s');
  assert.equal(val(0x0c, 1, 2, 3, 4, 0x9f), 0x04030201, 'const4u');
  assert.equal(val(0x0d, 0xfe, 0xff, 0xff, 0xff, 0x9f), 0xfffffffe, 'const4s');
  assert.equal(val(0x0e, 1, 0, 0, 0, 5, 0, 0, 0, 0x9f), 1, 'const8u keeps the low 32 bits');
  assert.equal(val(0x10, 0xe5, 0x8e, 0x26, 0x9f), 624485, 'constu');
  assert.equal(val(0x11, 0x7f, 0x9f), 0xffffffff, 'consts -1');
  assert.equal(val(0x31, 0x32, 0x16, 0x1c, 0x9f), 1, 'swap, minus: 2 - 1');
  assert.equal(val(0x31, 0x32, 0x14, 0x22, 0x22, 0x9f), 4, 'over: 1 2 -> 1 2 1 -> plus plus');
  assert.equal(val(0x31, 0x32, 0x33, 0x15, 2, 0x9f), 1, 'pick 2');
  assert.equal(val(0x31, 0x32, 0x33, 0x17, 0x9f), 2, 'rot: 1 2 3 -> 3 1 2');
  assert.equal(val(0x31, 0x12, 0x22, 0x9f), 2, 'dup');
  assert.equal(val(0x31, 0x32, 0x13, 0x9f), 1, 'drop');
  assert.equal(val(0x09, 0xf9, 0x19, 0x9f), 7, 'abs -7');
  assert.equal(val(0x3c, 0x36, 0x1a, 0x9f), 4, 'and 12 & 6');
  assert.equal(val(0x09, 0xf9, 0x32, 0x1b, 0x9f), 0xfffffffd, 'div -7 / 2 = -3 (signed)');
  assert.equal(val(0x37, 0x33, 0x1d, 0x9f), 1, 'mod');
  assert.equal(val(0x37, 0x33, 0x1e, 0x9f), 21, 'mul');
  assert.equal(val(0x37, 0x1f, 0x9f), 0xfffffff9, 'neg');
  assert.equal(val(0x30, 0x20, 0x9f), 0xffffffff, 'not');
  assert.equal(val(0x3c, 0x33, 0x21, 0x9f), 15, 'or');
  assert.equal(val(0x37, 0x23, 0x80, 0x01, 0x9f), 135, 'plus_uconst 128');
  assert.equal(val(0x31, 0x3f, 0x24, 0x9f), 0x8000, 'shl');
  assert.equal(val(0x09, 0x80, 0x34, 0x25, 0x9f), 0x0ffffff8, 'shr is logical');
  assert.equal(val(0x09, 0x80, 0x34, 0x26, 0x9f), 0xfffffff8, 'shra is arithmetic');
  assert.equal(val(0x3c, 0x36, 0x27, 0x9f), 10, 'xor');
  for (const [op, expect] of [[0x29, 0], [0x2a, 0], [0x2b, 0], [0x2c, 1], [0x2d, 1], [0x2e, 1]] as const) {
    assert.equal(val(0x09, 0xff, 0x31, op, 0x9f), expect, `comparison ${op.toString(16)} of -1 and 1 is signed`);
  }
  // 0 bra +1 (not taken) lit1 skip +1 lit2 -> 1
  assert.equal(val(0x30, 0x28, 1, 0, 0x31, 0x2f, 1, 0, 0x32, 0x9f), 1, 'bra not taken, skip over');
  assert.equal(val(0x31, 0x28, 1, 0, 0x32, 0x33, 0x9f), 3, 'bra taken skips lit2');
  assert.equal(val(0x96, 0x35, 0x9f), 5, 'nop');
});

test('expressions: registers, memory, frame base, CFA, entry values, indexed addresses', () => {
  assert.deepEqual(ev(0x5a), { kind: 'register', reg: 10 }, 'DW_OP_reg10');
  assert.deepEqual(ev(0x90, 33), { kind: 'register', reg: 33 }, 'DW_OP_regx');
  assert.deepEqual(ev(0x72, 0x08), { kind: 'memory', addr: 0x80010008 }, 'DW_OP_breg2 8');
  assert.deepEqual(ev(0x92, 8, 0x7c), { kind: 'memory', addr: 0x8001003c }, 'DW_OP_bregx s0 -4');
  assert.deepEqual(ev(0x91, 0x6c), { kind: 'memory', addr: 0x8001000c }, 'DW_OP_fbreg -20');
  assert.deepEqual(ev(0x9c), { kind: 'memory', addr: 0x80010030 }, 'DW_OP_call_frame_cfa');
  assert.equal(val(0x72, 0, 0x06, 0x9f), ctx.mem(0x80010000, 4), 'deref');
  assert.equal(val(0x72, 1, 0x94, 2, 0x9f), ctx.mem(0x80010001, 2), 'deref_size 2');
  assert.equal(val(0xa3, 1, 0x5a, 0x31, 0x22, 0x9f), 43, 'DW_OP_entry_value(reg10) + 1');
  assert.equal(val(0xf3, 1, 0x5a, 0x9f), 42, 'DW_OP_GNU_entry_value');
  assert.deepEqual(ev(0xa3, 1, 0x5b, 0x9f), { kind: 'unavailable', reason: 'optimized out' }, 'no call site value: optimized out');
  assert.deepEqual(ev(0xa1, 1), { kind: 'memory', addr: 0x80002000 }, 'DW_OP_addrx');
  assert.deepEqual(ev(0x9e, 2, 0xaa, 0xbb), { kind: 'implicit', bytes: Uint8Array.of(0xaa, 0xbb) }, 'implicit_value');
  assert.deepEqual(ev(0x7a, 0, 0x9f), { kind: 'value', value: 0xfffffff6 }, 'breg10 0, stack_value');
  assert.equal(ev(0x55).kind, 'register');
  assert.deepEqual(ev(0x75, 0), { kind: 'unavailable', reason: 'not saved' });
  assert.deepEqual(ev(0x03, 0, 0, 0, 0x90, 0x06), { kind: 'unavailable', reason: 'error: Cannot access memory at address 0x90000000' });
  assert.deepEqual(ev(), { kind: 'unavailable', reason: 'optimized out' }, 'empty expression');
  assert.deepEqual(ev(0xa0, 1, 0, 0, 0, 0), { kind: 'unavailable', reason: 'optimized out' }, 'implicit pointer');
  assert.equal(ev(0xa4, 1, 4, 1, 2, 3, 4).kind, 'unavailable', 'typed stack (const_type) is not supported');
  assert.equal(ev(0x9b).kind, 'unavailable', 'TLS');
  assert.deepEqual(ev(0x5a, 0xf0), { kind: 'register', reg: 10 }, 'DW_OP_GNU_uninit marker');
});

test('expressions: pieces and bit pieces', () => {
  const loc = ev(0x5a, 0x93, 4, 0x5b, 0x93, 4);
  assert.deepEqual(loc, { kind: 'pieces', pieces: [{ bits: 32, offsetBits: 0, loc: { kind: 'register', reg: 10 } }, { bits: 32, offsetBits: 0, loc: { kind: 'register', reg: 11 } }] });
  const mixed = ev(0x72, 4, 0x93, 2, 0x93, 2, 0x37, 0x9f, 0x93, 1, 0x9d, 4, 2);
  assert.equal(mixed.kind, 'pieces');
  if (mixed.kind !== 'pieces') return;
  assert.deepEqual(mixed.pieces.map((p) => p.loc.kind), ['memory', 'unavailable', 'value', 'unavailable']);
  assert.deepEqual(mixed.pieces.map((p) => [p.bits, p.offsetBits]), [[16, 0], [16, 0], [8, 0], [4, 2]]);

  // Fetching: a long long in a0/a1, a struct with an optimized-out middle.
  const frame = { pc: 0, regs: [0, 0, 0x80010000, 0, 0, 0, 0, 0, 0, 0, 0x11223344, 0x55667788], innermost: true };
  const ll: Type = { kind: 'base', name: 'long long', size: 8, encoding: ATE.signed };
  const mem = (a: number, n: number): Uint8Array | undefined => (a >= 0x80010000 && a + n <= 0x80010040 ? Uint8Array.from({ length: n }, (_, i) => ctx.mem(a + i, 1)!) : undefined);
  const v = fetch(loc, ll, 8, frame, mem);
  assert.equal(formatVal(v), String(0x5566778811223344n));
  const s: Type = { kind: 'struct', name: 's', size: 6, declaration: false, members: [
    { name: 'a', type: { kind: 'base', name: 'short', size: 2, encoding: ATE.signed }, offset: 0 },
    { name: 'b', type: { kind: 'base', name: 'short', size: 2, encoding: ATE.signed }, offset: 2 },
    { name: 'c', type: { kind: 'base', name: 'short', size: 2, encoding: ATE.signed }, offset: 4 },
  ] };
  const partial = fetch(ev(0x72, 0, 0x93, 2, 0x93, 2, 0x3f, 0x9f, 0x93, 2), s, 6, frame, mem);
  assert.equal(formatVal(partial), `{a = ${ctx.mem(0x80010000, 2)! << 16 >> 16}, b = <optimized out>, c = 15}`);
  // A register piece in a caller frame where the register is not known.
  const unknown = fetch({ kind: 'register', reg: 12 }, ll, 8, { ...frame, known: 1 << 2 }, mem);
  assert.equal(formatVal(unknown), '<not saved>');
});

test('expressions: malformed bytes raise DwarfError naming the expression; loops are cut off', () => {
  for (const bad of [[0x13], [0x03, 1, 2], [0xff], [0x2f, 0x10, 0], [0x5a, 0x31], [0x15, 3]]) {
    assert.throws(() => ev(...bad), (e: unknown) => e instanceof DwarfError && e.message.startsWith('test offset 0x'), `bytes ${bad.map((b) => b.toString(16)).join(' ')}`);
  }
  // skip -3: an endless loop
  assert.deepEqual(ev(0x2f, 0xfd, 0xff), { kind: 'unavailable', reason: 'error: DWARF expression does not terminate' });
  assert.deepEqual(ev(0x31, 0x30, 0x1b), { kind: 'unavailable', reason: 'error: Division by zero' });
});

// --- Values --------------------------------------------------------------------------------

const int: Type = { kind: 'base', name: 'int', size: 4, encoding: ATE.signed };
const uint: Type = { kind: 'base', name: 'unsigned int', size: 4, encoding: ATE.unsigned };
const char: Type = { kind: 'base', name: 'char', size: 1, encoding: ATE.unsigned_char };
const schar: Type = { kind: 'base', name: 'signed char', size: 1, encoding: ATE.signed_char };
const bool: Type = { kind: 'base', name: '_Bool', size: 1, encoding: ATE.boolean };
const float: Type = { kind: 'base', name: 'float', size: 4, encoding: ATE.float };
const double: Type = { kind: 'base', name: 'double', size: 8, encoding: ATE.float };
const le = (n: number, size: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => Number((BigInt.asUintN(64, BigInt(n)) >> BigInt(8 * i)) & 0xffn));
const f32 = (x: number): Uint8Array => new Uint8Array(Float32Array.of(x).buffer);
const f64 = (x: number): Uint8Array => new Uint8Array(Float64Array.of(x).buffer);

test('values: integers, chars, bools, floats as gdb prints them', () => {
  assert.equal(formatValue(int, le(-5, 4)), '-5');
  assert.equal(formatValue(uint, le(-5, 4)), '4294967291');
  assert.equal(formatValue(int, le(255, 4), { hex: true }), '0xff');
  assert.equal(formatValue(char, le(104, 1)), "104 'h'");
  assert.equal(formatValue(char, le(0, 1)), "0 '\\000'");
  assert.equal(formatValue(char, le(10, 1)), "10 '\\n'");
  assert.equal(formatValue(char, le(39, 1)), "39 '\\''");
  assert.equal(formatValue(char, le(92, 1)), "92 '\\\\'");
  assert.equal(formatValue(char, le(27, 1)), "27 '\\033'");
  assert.equal(formatValue(schar, le(-56, 1)), "-56 '\\310'");
  assert.equal(formatValue(bool, le(1, 1)), 'true');
  assert.equal(formatValue(bool, le(0, 1)), 'false');
  assert.equal(formatValue(bool, le(2, 1)), '2');
  assert.equal(formatValue(float, f32(1.5)), '1.5');
  assert.equal(formatValue(float, f32(0.1)), '0.100000001');
  assert.equal(formatValue(double, f64(0.1)), '0.10000000000000001');
  assert.equal(formatValue(double, f64(1e100)), '1e+100');
  assert.equal(formatValue(double, f64(-2.5e-7)), '-2.4999999999999999e-07');
  assert.equal(formatValue(double, f64(123456789)), '123456789');
  assert.equal(formatValue(float, f32(Infinity)), 'inf');
  assert.equal(formatValue(double, f64(-Infinity)), '-inf');
  assert.equal(formatValue(double, f64(-0)), '-0');
  assert.equal(formatValue(float, Uint8Array.of(0, 0, 0xc0, 0x7f)), 'nan(0x400000)');
  assert.equal(formatValue(double, Uint8Array.of(1, 0, 0, 0, 0, 0, 0xf8, 0xff)), '-nan(0x8000000000001)');
  assert.equal(formatFloat(Math.fround(1e-5), 9, 0, 23), '9.99999975e-06');
  assert.equal(formatFloat(100000, 9, 0, 23), '100000');
  assert.equal(formatFloat(1e9, 9, 0, 23), '1e+09');
  assert.equal(formatValue(int, le(5, 2)), '<optimized out>', 'too few bytes');
});

test('values: enums, pointers, strings, arrays with repeats, structs, unions, bitfields, typedefs', () => {
  const color: Type = { kind: 'enum', name: 'color', size: 4, signed: false, enumerators: [{ name: 'RED', value: 0n }, { name: 'GREEN', value: 5n }] };
  assert.equal(formatValue(color, le(5, 4)), 'GREEN');
  assert.equal(formatValue(color, le(3, 4)), '3');
  const neg: Type = { kind: 'enum', name: 'n', size: 1, signed: true, enumerators: [{ name: 'M1', value: -1n }] };
  assert.equal(formatValue(neg, le(0xff, 1)), 'M1');

  const pchar: Type = { kind: 'pointer', size: 4, target: { kind: 'const', size: 1, target: char } };
  const text = Buffer.from('hi\n"x"\0', 'latin1');
  const readMem = (a: number, n: number): Uint8Array | undefined => (a >= 0x1000 && a + n <= 0x1000 + text.length ? Uint8Array.from(text.subarray(a - 0x1000, a - 0x1000 + n)) : undefined);
  assert.equal(formatValue(pchar, le(0x1000, 4), { readMem }), '0x1000 "hi\\n\\"x\\""');
  assert.equal(formatValue(pchar, le(0, 4), { readMem }), '0x0');
  assert.equal(formatValue(pchar, le(0x2000, 4), { readMem }), '0x2000 <error: Cannot access memory at address 0x2000>');
  const pint: Type = { kind: 'pointer', size: 4, target: int };
  assert.equal(formatValue(pint, le(0x80000010, 4), { symbolize: (a) => (a === 0x80000010 ? 'g_x+4' : undefined) }), '0x80000010 <g_x+4>');
  assert.equal(typeName(pchar), 'const char *');

  const arr = (el: Type, ...counts: number[]): Type => ({ kind: 'array', element: el, dims: counts.map((count) => ({ lower: 0, count })), size: counts.reduce((a, b) => a * b, 1) * el.size });
  assert.equal(formatValue(arr(char, 8), Uint8Array.from([97, 98, 99, 0, 0, 0, 0, 0])), '"abc\\000\\000\\000\\000"');
  assert.equal(formatValue(arr(char, 6), Buffer.from('hello\0')), '"hello"');
  assert.equal(formatValue(arr(char, 20), Uint8Array.from([65, ...new Array(19).fill(0)])), '"A", \'\\000\' <repeats 18 times>');
  assert.equal(formatValue(arr(int, 12), new Uint8Array(48)), '{0 <repeats 12 times>}');
  assert.equal(formatValue(arr(int, 3), Uint8Array.from([...le(1, 4), ...le(1, 4), ...le(2, 4)])), '{1, 1, 2}');
  assert.equal(formatValue(arr(int, 2, 3), Uint8Array.from([1, 2, 3, 4, 5, 6].flatMap((n) => [...le(n, 4)]))), '{{1, 2, 3}, {4, 5, 6}}');
  assert.equal(typeName(arr(int, 2, 3)), 'int [2][3]');
  assert.equal(formatValue(arr(int, 300), new Uint8Array(1200).map((_, i) => (i % 4 === 0 ? i / 4 : 0))).endsWith('199...}'), true, '200 elements, then ...');

  const flags: Type = { kind: 'struct', name: 'flags', size: 4, declaration: false, members: [
    { name: 'a', type: uint, offset: 0, bitSize: 3, bitOffset: 0 },
    { name: 'b', type: uint, offset: 0, bitSize: 5, bitOffset: 3 },
    { name: 'c', type: int, offset: 1, bitSize: 4, bitOffset: 0 },
    { name: 'd', type: char, offset: 2 },
  ] };
  // a=5 (101), b=17 (10001) -> byte0 = 10001101 = 0x8d; c=-3 (1101) -> byte1 = 0x0d
  assert.equal(formatValue(flags, Uint8Array.of(0x8d, 0x0d, 200, 0)), "{a = 5, b = 17, c = -3, d = 200 '\\310'}");
  const num: Type = { kind: 'union', name: 'num', size: 4, declaration: false, members: [{ name: 'i', type: int, offset: 0 }, { name: 'f', type: float, offset: 0 }] };
  assert.equal(formatValue(num, f32(1.5)), '{i = 1069547520, f = 1.5}');
  const td: Type = { kind: 'typedef', name: 'u32', target: uint, size: 4 };
  const cv: Type = { kind: 'const', size: 4, target: { kind: 'volatile', size: 4, target: td } };
  assert.equal(typeName(cv), 'const volatile u32');
  assert.equal(typeName({ kind: 'pointer', size: 4, target: { kind: 'function', returnType: int, params: [int, pchar], varargs: false, prototyped: true, size: 0 } }), 'int (*)(int, const char *)');
  assert.equal(typeName({ kind: 'const', size: 4, target: pint }), 'int * const');
  assert.equal(typeName({ kind: 'pointer', size: 4, target: arr(int, 3) }), 'int (*)[3]');
  assert.equal(typeName({ kind: 'struct', name: undefined, size: 0, members: [], declaration: false }), 'struct {...}');
});

test('values: children for structs, arrays (paged) and pointers', () => {
  const point: Type = { kind: 'struct', name: 'point', size: 8, declaration: false, members: [{ name: 'x', type: int, offset: 0 }, { name: 'y', type: int, offset: 4 }] };
  const v: Value = { type: point, bytes: Uint8Array.from([...le(3, 4), ...le(-4, 4)]), address: 0x100 };
  assert.ok(hasChildren(v));
  assert.equal(childCount(v), 2);
  const kids = children(v);
  assert.deepEqual(kids.map((k) => [k.name, formatVal(k.value), k.value.address]), [['x', '3', 0x100], ['y', '-4', 0x104]]);

  const grid: Type = { kind: 'array', element: int, dims: [{ lower: 1, count: 2 }, { lower: 0, count: 3 }], size: 24 };
  const g: Value = { type: grid, bytes: Uint8Array.from([1, 2, 3, 4, 5, 6].flatMap((n) => [...le(n, 4)])) };
  const rows = children(g);
  assert.deepEqual(rows.map((r) => [r.name, typeName(r.value.type), formatVal(r.value)]), [['[1]', 'int [3]', '{1, 2, 3}'], ['[2]', 'int [3]', '{4, 5, 6}']]);
  assert.deepEqual(children(rows[1].value, {}, 1, 1).map((c) => [c.name, formatVal(c.value)]), [['[1]', '5']]);

  const pp: Type = { kind: 'pointer', size: 4, target: point };
  const p: Value = { type: pp, bytes: le(0x2000, 4) };
  const readMem = (a: number, n: number): Uint8Array | undefined => (a === 0x2000 ? Uint8Array.from([...le(7, 4), ...le(8, 4)]).subarray(0, n) : undefined);
  assert.equal(childCount(p), 1);
  const target = children(p, { readMem });
  assert.equal(target[0].name, '*');
  assert.equal(formatVal(target[0].value), '{x = 7, y = 8}');
  assert.equal(children({ type: pp, bytes: le(0x3000, 4) }, { readMem })[0].value.unavailable, 'error: Cannot access memory at address 0x3000');
  assert.equal(hasChildren({ type: pp, bytes: le(0, 4) }), false, 'null pointer');
  assert.equal(hasChildren({ type: { kind: 'pointer', size: 4, target: { kind: 'void', name: 'void', size: 0 } }, bytes: le(0x2000, 4) }), false, 'void *');
  assert.equal(hasChildren({ type: point, bytes: new Uint8Array(0), unavailable: 'optimized out' }), false);
  assert.equal(formatVal({ type: point, bytes: new Uint8Array(0), unavailable: 'optimized out' }), '<optimized out>');
});

test('findVariable: C scoping from a frame (block locals, parameters, file statics, globals)', () => {
  const f = fixture('recurse-O0.elf');
  const m = runTo(f.bytes, f.name, [f.dbg.breakpointAddress(f.dbg.functionByName('probe')!)], 2);
  const frames = f.dbg.unwind(m.hart.x, m.hart.pc, mem32Reader(m));
  const loop = frames[1];
  assert.equal(f.dbg.scopesFor(loop)[0].fn.name, 'sum_loop');
  // Innermost block first, as gdb's info locals.
  assert.deepEqual(f.dbg.scopesFor(loop)[0].locals.map((v) => v.name), ['big', 'sq', 'i', 'total']);
  const mem = memReader(m);
  const show = (name: string, frame?: Frame): string | undefined => {
    const v = f.dbg.findVariable(name, frame);
    return v === undefined ? undefined : `${v.kind} ${f.dbg.format(f.dbg.readVariable(v, frame, mem), mem)}`;
  };
  assert.equal(show('i', loop), 'local 3');
  assert.equal(show('n', loop), 'parameter 5');
  assert.equal(show('values', loop), 'global {1, 2, 3, 4, 5}');
  assert.equal(show('g_total'), 'global 0');
  assert.equal(show('nope', loop), undefined);
  assert.equal(f.dbg.findVariable('i'), undefined, 'no frame: globals only');
});
