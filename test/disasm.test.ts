// The disassembler against GNU objdump (binutils 2.40): on every guest ELF and test program, on all
// 16-bit encodings and on random 32-bit words; plus a hand-checked table that needs no tools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { disassemble, disassembleBytes, csrName, type DisasmOptions, type PrivSpec } from '../core/isa/disasm';
import { needTools, OBJDUMP, GCC } from './helpers/tools';
import { prng } from './helpers/prng';

const ROOT = path.join(__dirname, '..');
const READELF = 'riscv64-unknown-elf-readelf';
/** Exactly our ISA, so objdump refuses whatever we do not implement (F, D, Zb*, …). */
const OUR_ARCH = 'rv32imac_zicsr_zifencei';
const BASE = 0x80000000;

// [pc, raw, expected text]: objdump's output for each (checked with binutils 2.40), except the rows
// marked "ours", where objdump decodes an encoding that traps on this core.
const TABLE: [number, number, string][] = [
  // compressed, quadrant 0
  [0x80000000, 0x0000, 'unimp'],
  [0x80000002, 0x0020, 'add s0,sp,8'], // c.addi4spn
  [0x80000004, 0x1ffc, 'add a5,sp,1020'],
  [0x80000006, 0x4108, 'lw a0,0(a0)'], // c.lw
  [0x80000008, 0x5160, 'lw s0,100(a0)'],
  [0x8000000a, 0xc108, 'sw a0,0(a0)'], // c.sw
  [0x8000000c, 0xd160, 'sw s0,100(a0)'],
  [0x8000006e, 0x0004, '.2byte 0x4'], // c.addi4spn with imm 0: reserved
  // quadrant 1
  [0x8000000e, 0x0001, 'nop'],
  [0x80000010, 0x0005, 'c.nop 1'], // HINT
  [0x80000012, 0x0505, 'add a0,a0,1'], // c.addi
  [0x80000014, 0x157d, 'add a0,a0,-1'],
  [0x800000c2, 0x0081, 'add ra,ra,0'], // c.addi with imm 0 (HINT) is not printed as mv
  [0x80000016, 0x2285, 'jal 80000176'], // c.jal
  [0x80000018, 0x3fed, 'jal 80000012'], // c.jal backward
  [0x8000001a, 0x4501, 'li a0,0'], // c.li
  [0x8000001c, 0x557d, 'li a0,-1'],
  [0x8000001e, 0x5001, 'c.li zero,-32'],
  [0x80000020, 0x7139, 'add sp,sp,-64'], // c.addi16sp
  [0x80000022, 0x6121, 'add sp,sp,64'],
  [0x80000024, 0x617d, 'add sp,sp,496'],
  [0x80000070, 0x6101, '.2byte 0x6101'], // ours: c.addi16sp 0 is reserved (objdump: add sp,sp,0)
  [0x80000026, 0x6795, 'lui a5,0x5'], // c.lui
  [0x80000028, 0x77fd, 'lui a5,0xfffff'], // c.lui -1
  [0x8000002a, 0x7501, 'lui a0,0xfffe0'], // c.lui -32
  [0x8000002c, 0x7001, 'c.lui zero,0xfffe0'],
  [0x80000076, 0x6001, '.2byte 0x6001'], // c.lui with imm 0: reserved
  [0x8000002e, 0x8105, 'srl a0,a0,0x1'], // c.srli
  [0x80000030, 0x817d, 'srl a0,a0,0x1f'],
  [0x80000032, 0x8505, 'sra a0,a0,0x1'], // c.srai
  [0x80000034, 0x8101, 'c.srli64 a0'],
  [0x80000036, 0x8401, 'c.srai64 s0'],
  [0x80000072, 0x9001, '.2byte 0x9001'], // ours: shamt 32 is reserved on RV32 (objdump: srl s0,s0,0x20)
  [0x80000038, 0x8905, 'and a0,a0,1'], // c.andi
  [0x8000003a, 0x997d, 'and a0,a0,-1'],
  [0x8000003c, 0x8d0d, 'sub a0,a0,a1'], // c.sub
  [0x8000003e, 0x8d2d, 'xor a0,a0,a1'],
  [0x80000040, 0x8d4d, 'or a0,a0,a1'],
  [0x80000042, 0x8d6d, 'and a0,a0,a1'],
  [0x80000078, 0x9c2d, '.2byte 0x9c2d'], // c.addw: RV64 only
  [0x80000044, 0xbfdd, 'j 8000003a'], // c.j backward
  [0x80000046, 0xa001, 'j 80000046'],
  [0x80000048, 0xc101, 'beqz a0,80000048'], // c.beqz
  [0x8000004a, 0xdd75, 'beqz a0,80000046'],
  [0x8000004c, 0xe919, 'bnez a0,80000062'], // c.bnez
  [0x8000004e, 0xfd6d, 'bnez a0,80000048'],
  // quadrant 2
  [0x80000050, 0x050a, 'sll a0,a0,0x2'], // c.slli
  [0x80000052, 0x0502, 'c.slli64 a0'],
  [0x80000054, 0x007e, 'c.slli zero,0x1f'],
  [0x80000056, 0x4082, 'lw ra,0(sp)'], // c.lwsp
  [0x80000058, 0x5ff2, 'lw t6,60(sp)'],
  [0x8000005a, 0x8082, 'ret'], // c.jr
  [0x8000005c, 0x8502, 'jr a0'],
  [0x80000074, 0x8002, '.2byte 0x8002'], // c.jr zero: reserved
  [0x8000005e, 0x852e, 'mv a0,a1'], // c.mv
  [0x80000060, 0x802e, 'c.mv zero,a1'],
  [0x80000062, 0x9002, 'ebreak'], // c.ebreak
  [0x80000064, 0x9502, 'jalr a0'], // c.jalr
  [0x80000066, 0x952e, 'add a0,a0,a1'], // c.add
  [0x80000068, 0x902e, 'c.add zero,a1'],
  [0x8000006a, 0xc006, 'sw ra,0(sp)'], // c.swsp
  [0x8000006c, 0xdffe, 'sw t6,252(sp)'],
  // 32-bit
  [0x8000007a, 0x12345537, 'lui a0,0x12345'],
  [0x8000007e, 0xfffff537, 'lui a0,0xfffff'],
  [0x80000082, 0x00000537, 'lui a0,0x0'],
  [0x80000086, 0x00010117, 'auipc sp,0x10'],
  [0x8000008a, 0x7ffff0ef, 'jal 80100088'], // jal +1 MiB - 2
  [0x8000008e, 0x800000ef, 'jal 7ff0008e'], // jal -1 MiB
  [0x80000092, 0xffdff06f, 'j 8000008e'],
  [0x80000096, 0x0040056f, 'jal a0,8000009a'],
  [0x8000009a, 0x00008067, 'ret'],
  [0x8000009e, 0x00050067, 'jr a0'],
  [0x800000a2, 0x000500e7, 'jalr a0'],
  [0x800000a6, 0x008500e7, 'jalr 8(a0)'],
  [0x800000aa, 0x000505e7, 'jalr a1,a0'],
  [0x800000ae, 0xff850067, 'jr -8(a0)'],
  [0x800000b2, 0xfeb50ee3, 'beq a0,a1,800000ae'],
  [0x800000b6, 0x00b51463, 'bne a0,a1,800000be'],
  [0x800000ba, 0xfeb54ce3, 'blt a0,a1,800000b2'],
  [0x800000be, 0x00b55463, 'bge a0,a1,800000c6'],
  [0x800000c2, 0xfeb56ce3, 'bltu a0,a1,800000ba'],
  [0x800000c6, 0x00b57463, 'bgeu a0,a1,800000ce'],
  [0x800000ca, 0xfe050ee3, 'beqz a0,800000c6'],
  [0x800000ce, 0x00051463, 'bnez a0,800000d6'],
  [0x800000d2, 0xfea05ce3, 'blez a0,800000ca'],
  [0x800000d6, 0x00055463, 'bgez a0,800000de'],
  [0x800000da, 0xfe054ce3, 'bltz a0,800000d2'],
  [0x800000de, 0x00a04463, 'bgtz a0,800000e6'],
  [0x00000004, 0xff5ff06f, 'j fffffff8'], // targets wrap at 2^32
  [0x800000e2, 0xffc50503, 'lb a0,-4(a0)'],
  [0x800000e6, 0x00251503, 'lh a0,2(a0)'],
  [0x800000ea, 0x80052503, 'lw a0,-2048(a0)'],
  [0x800000ee, 0x7ff54503, 'lbu a0,2047(a0)'],
  [0x800000f2, 0xffe55503, 'lhu a0,-2(a0)'],
  [0x800000f6, 0xfea50fa3, 'sb a0,-1(a0)'],
  [0x800000fa, 0x00a51123, 'sh a0,2(a0)'],
  [0x800000fe, 0x7ea52fa3, 'sw a0,2047(a0)'],
  [0x80000102, 0x00000013, 'nop'],
  [0x80000106, 0xfff00513, 'li a0,-1'],
  [0x8000010a, 0x00058513, 'mv a0,a1'],
  [0x8000010e, 0x37010113, 'add sp,sp,880'],
  [0x80000112, 0x80050513, 'add a0,a0,-2048'],
  [0x80000116, 0xfff52513, 'slti a0,a0,-1'],
  [0x8000011a, 0x00153513, 'seqz a0,a0'],
  [0x8000011e, 0xfff53513, 'sltiu a0,a0,-1'],
  [0x80000122, 0x80054513, 'xor a0,a0,-2048'],
  [0x80000126, 0xfff54513, 'not a0,a0'],
  [0x8000012a, 0x0ff56513, 'or a0,a0,255'],
  [0x8000012e, 0x0ff57513, 'zext.b a0,a0'],
  [0x80000132, 0x00f57513, 'and a0,a0,15'],
  [0x80000136, 0x01f51513, 'sll a0,a0,0x1f'],
  [0x8000013a, 0x00155513, 'srl a0,a0,0x1'],
  [0x8000013e, 0x41f55513, 'sra a0,a0,0x1f'],
  [0x8000022a, 0x02051513, '.4byte 0x2051513'], // ours: shamt 32 is reserved on RV32 (objdump: sll a0,a0,0x20)
  [0x80000142, 0x00b50533, 'add a0,a0,a1'],
  [0x80000146, 0x00b00533, 'add a0,zero,a1'],
  [0x8000014a, 0x40b50533, 'sub a0,a0,a1'],
  [0x8000014e, 0x40b00533, 'neg a0,a1'],
  [0x80000152, 0x00b51533, 'sll a0,a0,a1'],
  [0x80000156, 0x00b52533, 'slt a0,a0,a1'],
  [0x8000015a, 0x00052533, 'sltz a0,a0'],
  [0x8000015e, 0x00b02533, 'sgtz a0,a1'],
  [0x80000162, 0x00b53533, 'sltu a0,a0,a1'],
  [0x80000166, 0x00b03533, 'snez a0,a1'],
  [0x8000016a, 0x00b54533, 'xor a0,a0,a1'],
  [0x8000016e, 0x00b55533, 'srl a0,a0,a1'],
  [0x80000172, 0x40b55533, 'sra a0,a0,a1'],
  [0x80000176, 0x00b56533, 'or a0,a0,a1'],
  [0x8000017a, 0x00b57533, 'and a0,a0,a1'],
  [0x8000017e, 0x02b50533, 'mul a0,a0,a1'],
  [0x80000182, 0x02b51533, 'mulh a0,a0,a1'],
  [0x80000186, 0x02b52533, 'mulhsu a0,a0,a1'],
  [0x8000018a, 0x02b53533, 'mulhu a0,a0,a1'],
  [0x8000018e, 0x02b54533, 'div a0,a0,a1'],
  [0x80000192, 0x02b55533, 'divu a0,a0,a1'],
  [0x80000196, 0x02b56533, 'rem a0,a0,a1'],
  [0x8000019a, 0x02b57533, 'remu a0,a0,a1'],
  [0x8000019e, 0x0ff0000f, 'fence'],
  [0x800001a2, 0x8330000f, 'fence.tso'],
  [0x800001a6, 0x0230000f, 'fence r,rw'],
  [0x800001aa, 0x0100000f, 'fence w,unknown'], // pause, without Zihintpause
  [0x8000022e, 0xf0f0000f, '.4byte 0xf0f0000f'], // fm = 15: we run it as a fence, objdump refuses
  [0x800001ae, 0x0000100f, 'fence.i'],
  [0x800001b2, 0x00000073, 'ecall'],
  [0x800001b6, 0x00100073, 'ebreak'],
  [0x800001ba, 0x30200073, 'mret'],
  [0x800001be, 0x10500073, 'wfi'],
  [0x80000226, 0x10200073, '.4byte 0x10200073'], // ours: sret traps on this M-mode-only core
  [0x800001c2, 0x30551573, 'csrrw a0,mtvec,a0'],
  [0x800001c6, 0x30551073, 'csrw mtvec,a0'],
  [0x800001ca, 0x30002573, 'csrr a0,mstatus'],
  [0x800001ce, 0x3005a073, 'csrs mstatus,a1'],
  [0x800001d2, 0x3005b073, 'csrc mstatus,a1'],
  [0x800001d6, 0x34115073, 'csrw mepc,2'], // csrwi
  [0x800001da, 0x30046073, 'csrs mstatus,8'], // csrsi
  [0x800001de, 0x30047073, 'csrc mstatus,8'], // csrci
  [0x800001e2, 0x3000e573, 'csrrs a0,mstatus,1'], // csrrsi
  [0x800001e6, 0xc0002573, 'rdcycle a0'],
  [0x800001ea, 0xc8102573, 'rdtimeh a0'],
  [0x800001ee, 0xc0001073, 'unimp'], // csrrw zero,cycle,zero
  [0x800001f2, 0x7c002573, 'csrr a0,0x7c0'],
  [0x800001f6, 0xf1402573, 'csrr a0,mhartid'],
  [0x800001fa, 0x100525af, 'lr.w a1,(a0)'],
  [0x800001fe, 0x1cb5262f, 'sc.w.aq a2,a1,(a0)'],
  [0x80000202, 0x0eb5262f, 'amoswap.w.aqrl a2,a1,(a0)'],
  [0x80000206, 0x00b5262f, 'amoadd.w a2,a1,(a0)'],
  [0x8000020a, 0x20b5262f, 'amoxor.w a2,a1,(a0)'],
  [0x8000020e, 0x60b5262f, 'amoand.w a2,a1,(a0)'],
  [0x80000212, 0x40b5262f, 'amoor.w a2,a1,(a0)'],
  [0x80000216, 0x80b5262f, 'amomin.w a2,a1,(a0)'],
  [0x8000021a, 0xa0b5262f, 'amomax.w a2,a1,(a0)'],
  [0x8000021e, 0xc0b5262f, 'amominu.w a2,a1,(a0)'],
  [0x80000222, 0xe2b5262f, 'amomaxu.w.rl a2,a1,(a0)'],
  [0x80000232, 0x00000007, '.4byte 0x7'], // flw: no F extension
];

test('hand-picked encodings disassemble like objdump', () => {
  const bad: string[] = [];
  for (const [pc, raw, want] of TABLE) {
    const d = disassemble(raw, pc);
    if (d.text !== want || d.len !== ((raw & 3) === 3 ? 4 : 2)) {
      bad.push(`${pc.toString(16)}: ${raw.toString(16)}: want '${want}', got '${d.text}' (len ${d.len})`);
    }
  }
  assert.deepEqual(bad, []);
});

test('symbolize, CSR tables and disassembleBytes', () => {
  const sym = (a: number): string | undefined => (a === 0x80000018 ? '<_start+0x18>' : undefined);
  assert.equal(disassemble(0xbfdd, 0x80000022, sym).text, 'j 80000018 <_start+0x18>');
  assert.equal(disassemble(0xbfdd, 0x80000024, sym).text, 'j 8000001a');
  assert.equal(disassemble(0x00000463, 0x80000010, sym).text, 'beqz zero,80000018 <_start+0x18>');
  // Only the low 16 bits count for a compressed instruction.
  assert.deepEqual(disassemble(0x12348082, 0), { text: 'ret', len: 2 });
  assert.equal(disassemble(0x0100000f, 0, undefined, { pause: true }).text, 'pause');
  // CSR names by privileged-spec version.
  assert.equal(csrName(0x000), 'ustatus');
  assert.equal(csrName(0x000, '1.12'), '0x0');
  assert.equal(csrName(0x310), '0x310');
  assert.equal(csrName(0x310, '1.12'), 'mstatush');
  assert.equal(csrName(0x320, '1.10'), '0x320');
  assert.equal(csrName(0x320), 'mcountinhibit');
  assert.equal(csrName(0x3bf), 'pmpaddr15');
  assert.equal(csrName(0x3c0), '0x3c0');
  assert.equal(csrName(0x3c0, '1.12'), 'pmpaddr16');
  assert.equal(csrName(0xb03), 'mhpmcounter3');
  assert.equal(csrName(0xb83), 'mhpmcounter3h');
  assert.equal(csrName(0xc9f), 'hpmcounter31h');
  assert.equal(csrName(0xc00), 'cycle');
  assert.equal(disassemble(0xc0003573, 0).text, 'csrrc a0,cycle,zero');
  // bytes: c.addi16sp, 32-bit auipc, c.ret, then a 32-bit instruction cut off by the buffer's end
  const bytes = new Uint8Array([0x39, 0x71, 0x17, 0x01, 0x01, 0x00, 0x82, 0x80, 0x13, 0x05]);
  assert.deepEqual(disassembleBytes(bytes, 0x80000000), [
    { addr: 0x80000000, raw: 0x7139, len: 2, text: 'add sp,sp,-64' },
    { addr: 0x80000002, raw: 0x00010117, len: 4, text: 'auipc sp,0x10' },
    { addr: 0x80000006, raw: 0x8082, len: 2, text: 'ret' },
    { addr: 0x80000008, raw: 0x0513, len: 2, text: '.2byte 0x513' },
  ]);
  assert.equal(disassembleBytes(bytes, 0x80000000, 2).length, 2);
});

// ---- objdump plumbing ----------------------------------------------------------------------------

interface ObjLine { addr: number; raw: number; len: 2 | 4; text: string }

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** objdump's instruction lines, with the `# comment` and `<symbol>` parts dropped and spaces normalized. */
function parseObjdump(out: string): ObjLine[] {
  const lines: ObjLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]+)\s*\t(.*)$/.exec(line);
    if (!m || (m[2].length !== 4 && m[2].length !== 8)) continue;
    const text = m[3].replace(/\s*#.*$/, '').replace(/\s*<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
    lines.push({ addr: parseInt(m[1], 16), raw: parseInt(m[2], 16), len: m[2].length === 4 ? 2 : 4, text });
  }
  return lines;
}

/** Disassembly options matching what objdump derives from the ELF's RISC-V attributes. */
function optionsFor(elf: string): DisasmOptions {
  const attrs = run(READELF, ['-A', elf]);
  const major = /Tag_RISCV_priv_spec: (\d+)/.exec(attrs)?.[1];
  const minor = /Tag_RISCV_priv_spec_minor: (\d+)/.exec(attrs)?.[1] ?? '0';
  const spec = major ? `${major}.${minor}` : '1.12'; // objdump's default without the attribute
  const arch = /Tag_RISCV_arch: "([^"]*)"/.exec(attrs)?.[1] ?? '';
  return {
    privSpec: (['1.10', '1.11', '1.12'].includes(spec) ? spec : '1.12') as PrivSpec,
    pause: /_zihintpause/.test(arch),
  };
}

/** Assembles `words` (16- or 32-bit, by their low bits) back to back at BASE and returns objdump's lines. */
function objdumpWords(words: readonly number[], arch: string): ObjLine[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-disasm-'));
  try {
    const src = ['.text', '.globl _start', '_start:'];
    for (const w of words) src.push((w & 3) === 3 ? `.insn 4, 0x${(w >>> 0).toString(16)}` : `.insn 2, 0x${w.toString(16)}`);
    fs.writeFileSync(path.join(dir, 'w.S'), src.join('\n') + '\n');
    run(GCC, [`-march=${arch}`, '-mabi=ilp32', '-nostdlib', '-nostartfiles', `-Wl,-Ttext=0x${BASE.toString(16)}`,
      '-Wl,--no-warn-rwx-segments', '-o', path.join(dir, 'w.elf'), path.join(dir, 'w.S')]);
    const lines = parseObjdump(run(OBJDUMP, ['-d', '-z', path.join(dir, 'w.elf')]));
    assert.equal(lines.length, words.length, 'objdump printed one line per word');
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Why our text may differ from objdump's for this encoding: objdump decodes it but it traps here.
 * (Everything objdump refuses, we print as `.2byte`/`.4byte` too.)
 */
function knownDifference(raw: number, len: 2 | 4): string | undefined {
  if (len === 2) {
    const q = raw & 3, f3 = raw >>> 13, bit12 = (raw >>> 12) & 1;
    if (bit12 && ((q === 1 && f3 === 4 && ((raw >>> 10) & 3) < 2) || (q === 2 && f3 === 0))) return 'RV32 shamt >= 32';
    if (raw === 0x6101) return 'c.addi16sp 0 is reserved';
    return undefined;
  }
  const opcode = raw & 0x7f, f3 = (raw >>> 12) & 7;
  if (opcode === 0x13 && (f3 === 1 || f3 === 5) && (raw >>> 25) & 1) return 'RV32 shamt >= 32';
  if ([0x00200073, 0x10200073, 0x20200073, 0x7b200073].includes(raw >>> 0)) return 'uret/sret/hret/dret';
  if ((raw & 0xfff07fff) === 0x10400073 || (raw & 0xfe007fff) === 0x12000073) return 'sfence.vm(a)';
  return undefined;
}

function compare(lines: readonly ObjLine[], opts: DisasmOptions, allowKnown: boolean): { checked: number; bad: string[] } {
  const bad: string[] = [];
  let checked = 0;
  for (const l of lines) {
    const ours = disassemble(l.raw, l.addr, undefined, opts);
    const known = allowKnown ? knownDifference(l.raw, l.len) : undefined;
    if (known) {
      if (!/^\.[24]byte /.test(ours.text)) bad.push(`${l.addr.toString(16)}: ${l.raw.toString(16)}: ${known}, yet we print '${ours.text}'`);
      continue;
    }
    checked++;
    if (ours.text !== l.text || ours.len !== l.len) {
      bad.push(`${l.addr.toString(16)}: ${l.raw.toString(16).padStart(l.len * 2, '0')}: objdump '${l.text}', ours '${ours.text}'${ours.len !== l.len ? ` (len ${ours.len})` : ''}`);
    }
  }
  return { checked, bad };
}

function report(bad: string[]): string {
  return `${bad.length} mismatches:\n${bad.slice(0, 20).join('\n')}`;
}

function findElfs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.elf'))
    .map((f) => path.join(dir, f))
    .sort();
}

// ---- against objdump -----------------------------------------------------------------------------

test('matches objdump -d on every guest ELF and test program', (t) => {
  if (!needTools(t, OBJDUMP, READELF)) return;
  const elfs = [
    ...findElfs(path.join(ROOT, 'test', 'isa')),
    ...findElfs(path.join(ROOT, 'examples')),
  ];
  assert.ok(elfs.length >= 15, 'the example guests and ISA tests are there');
  const bad: string[] = [];
  let checked = 0;
  for (const elf of elfs) {
    // Data objdump cannot decode (.word/.2byte/…; also fence.i when the ELF lacks Zifencei) is skipped.
    const lines = parseObjdump(run(OBJDUMP, ['-d', elf])).filter((l) => !l.text.startsWith('.'));
    const r = compare(lines, optionsFor(elf), false);
    checked += r.checked;
    bad.push(...r.bad.map((b) => `${path.relative(ROOT, elf)} ${b}`));
  }
  assert.ok(checked > 1000, `checked ${checked} instructions`);
  assert.equal(bad.length, 0, report(bad));
});

test('matches objdump on all 16-bit encodings', (t) => {
  if (!needTools(t, OBJDUMP, GCC)) return;
  const words: number[] = [];
  for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) words.push(h);
  const r = compare(objdumpWords(words, OUR_ARCH), { privSpec: '1.12' }, true);
  assert.ok(r.checked > 45000);
  assert.equal(r.bad.length, 0, report(r.bad));
});


test('matches objdump on random 32-bit words of our opcodes', (t) => {
  if (!needTools(t, OBJDUMP, GCC)) return;
  const rnd = prng(0x5eed);
  const opcodes = [0x37, 0x17, 0x6f, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33, 0x0f, 0x73, 0x2f];
  const words: number[] = [];
  for (let i = 0; i < 20000; i++) {
    let w = (rnd() & ~0x7f) | opcodes[rnd() % opcodes.length];
    // Zero some fields often, to reach the aliases (rd/rs1/rs2 = zero, funct7 = 0, imm = 0).
    const z = rnd();
    if (z & 1) w &= ~(0x7f << 25);
    if (z & 2) w &= ~(0x1f << 20);
    if ((z & 12) === 12) w &= ~(0x1f << 15);
    if ((z & 48) === 48) w &= ~(0x1f << 7);
    words.push(w >>> 0);
  }
  // Plus the special words of SYSTEM and MISC-MEM.
  words.push(0x00000073, 0x00100073, 0x30200073, 0x10500073, 0x10200073, 0x00200073, 0x7b200073, 0x12000073,
    0x0ff0000f, 0x8330000f, 0x0100000f, 0x0000000f, 0x0000100f, 0xc0001073, 0xc0002573, 0xc8202573);
  const r = compare(objdumpWords(words, OUR_ARCH), { privSpec: '1.12' }, true);
  assert.ok(r.checked > 19000);
  assert.equal(r.bad.length, 0, report(r.bad));
});

test('CSR names match objdump for every CSR number and privileged spec', (t) => {
  if (!needTools(t, OBJDUMP, GCC)) return;
  for (const [major, minor] of [[1, 10], [1, 11], [1, 12]]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-csr-'));
    try {
      const src = ['.text', `.attribute priv_spec, ${major}`, `.attribute priv_spec_minor, ${minor}`, '.globl _start', '_start:'];
      for (let c = 0; c < 4096; c++) src.push(`.insn 4, 0x${(((c << 20) | (11 << 15) | (1 << 12) | (10 << 7) | 0x73) >>> 0).toString(16)}`);
      fs.writeFileSync(path.join(dir, 'c.S'), src.join('\n') + '\n');
      run(GCC, [`-march=${OUR_ARCH}`, '-mabi=ilp32', '-nostdlib', '-nostartfiles', `-Wl,-Ttext=0x${BASE.toString(16)}`,
        '-Wl,--no-warn-rwx-segments', '-o', path.join(dir, 'c.elf'), path.join(dir, 'c.S')]);
      const elf = path.join(dir, 'c.elf');
      const lines = parseObjdump(run(OBJDUMP, ['-d', elf]));
      assert.equal(lines.length, 4096);
      const r = compare(lines, { privSpec: `${major}.${minor}` as PrivSpec }, false);
      assert.equal(r.bad.length, 0, `priv spec ${major}.${minor}: ${report(r.bad)}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
