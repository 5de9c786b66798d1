// Malformed DWARF: every debug section of a few fixtures truncated at several lengths, then
// seeded random byte changes. Loading and every query the adapter makes (lines, breakpoints,
// functions, scopes, variables and their children, globals, unwinding, CFI) must either work or
// raise DwarfError with a one-line message naming the file; never another exception, never a
// hang. Plus an image without any debug info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, mem32Reader, memReader, runTo, type Fixture } from './fixtures/dwarf/support';
import { DwarfError, loadDebugInfo, type DebugInfo } from '../core/dwarf/index';
import { DEBUG_SECTIONS } from '../core/dwarf/sections';
import type { ElfImage } from '../core/elf/elf';

interface State {
  regs: Int32Array;
  pc: number;
  mem: (a: number, n: number) => Uint8Array | undefined;
  mem32: (a: number) => number | undefined;
}

/** The machine state at the second stop in probe, from the intact fixture. */
function stateOf(f: Fixture): State {
  const m = runTo(f.bytes, f.name, [f.dbg.breakpointAddress(f.dbg.functionByName('probe')!)], 2 - (f.name.startsWith('types') ? 1 : 0));
  return { regs: Int32Array.from(m.hart.x), pc: m.hart.pc, mem: memReader(m), mem32: mem32Reader(m) };
}

function withSection(elf: ElfImage, name: string, bytes: Uint8Array): ElfImage {
  return { ...elf, sections: elf.sections.map((s) => (s.name === name ? { ...s, size: bytes.length, data: () => bytes } : s)) };
}

/** Everything the adapter would ask. */
function exercise(dbg: DebugInfo, f: Fixture, st: State): void {
  dbg.loadAll();
  dbg.sourceFiles();
  const text = f.elf.sections.find((s) => s.name === '.text')!;
  for (let pc = text.addr; pc < text.addr + text.size; pc += 6) {
    dbg.lineFor(pc);
    dbg.lineRange(pc);
    dbg.isStmtStart(pc);
    dbg.functionAt(pc);
    dbg.innermostFunctionAt(pc);
    dbg.cfiRowAt(pc);
  }
  for (const fn of dbg.allFunctions()) dbg.breakpointAddress(fn);
  dbg.functionByName('main');
  for (let line = 1; line < 90; line += 3) dbg.resolveBreakpoint(f.name.startsWith('types') ? 'types.c' : 'recurse.c', line);
  const frames = dbg.unwind(st.regs, st.pc, st.mem32, { maxDepth: 64 });
  assert.ok(frames.length >= 1 && frames.length <= 64);
  for (const fr of frames) {
    for (const scope of dbg.scopesFor(fr)) {
      for (const v of [...scope.params, ...scope.locals]) {
        const val = dbg.readVariable(v, fr, st.mem);
        dbg.format(val, st.mem);
        dbg.typeName(v.type);
        for (const c of dbg.children(val, st.mem, 0, 50)) dbg.format(c.value, st.mem);
      }
    }
  }
  for (const g of dbg.globals()) {
    const val = dbg.readVariable(g, undefined, st.mem);
    dbg.format(val, st.mem);
    for (const c of dbg.children(val, st.mem, 0, 50)) dbg.format(c.value, st.mem);
  }
}

/** Runs `f`; the only acceptable failure is a one-line DwarfError naming the file. */
function expectClean(label: string, file: string, f: () => void): 'ok' | 'error' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof DwarfError)) {
      const err = e as Error;
      assert.fail(`${label}: ${err?.name}: ${err?.message}\n${err?.stack}`);
    }
    assert.ok(!/[\n\r]/.test(e.message), `${label}: multi-line message ${JSON.stringify(e.message)}`);
    assert.ok(e.message.startsWith(`${file}: .`), `${label}: message does not name the file and section: ${e.message}`);
    return 'error';
  }
}

function check(label: string, f: Fixture, elf: ElfImage, st: State): 'ok' | 'error' {
  return expectClean(label, f.name, () => {
    const dbg = loadDebugInfo(elf);
    exercise(dbg, f, st);
    for (const p of dbg.problems) {
      assert.ok(!/[\n\r]/.test(p) && p.startsWith(`${f.name}: .`), `${label}: problem ${JSON.stringify(p)}`);
    }
  });
}

/** DWARF_FUZZ_ITERATIONS=5000 (and DWARF_FUZZ_SEED) for a longer local run. */
const ITERATIONS = Number(process.env.DWARF_FUZZ_ITERATIONS ?? 150);
const SEED = Number(process.env.DWARF_FUZZ_SEED ?? 0x5eed);

const FIXTURES = ['types-O2.elf', 'recurse-O2-dwarf4.elf', 'recurse-eh.elf', 'recurse-O0.elf', 'types-O0-tu4.elf'];

for (const name of FIXTURES) {
  test(`${name}: intact, every query works and reports no problems`, () => {
    const f = fixture(name);
    const st = stateOf(f);
    exercise(f.dbg, f, st);
    assert.deepEqual(f.dbg.problems, []);
  });

  test(`${name}: every debug section truncated at several lengths`, { timeout: 300_000 }, () => {
    const f = fixture(name);
    const st = stateOf(f);
    let errors = 0;
    let runs = 0;
    for (const s of f.elf.sections) {
      if (!(DEBUG_SECTIONS as readonly string[]).includes(s.name)) continue;
      const data = s.data();
      const lengths = [...new Set([0, 1, 3, 7, 12, 16, 40, data.length >> 2, data.length >> 1, data.length - 3, data.length - 1])];
      for (const len of lengths) {
        if (len < 0 || len >= data.length) continue;
        runs++;
        if (check(`${s.name} cut to ${len} bytes`, f, withSection(f.elf, s.name, data.slice(0, len)), st) === 'error') errors++;
      }
    }
    assert.ok(runs > 40, `${runs} truncations`);
    void errors;
  });

  test(`${name}: seeded random byte changes in debug sections`, { timeout: 300_000 }, () => {
    const f = fixture(name);
    const st = stateOf(f);
    let seed = SEED + name.length;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const secs = f.elf.sections.filter((s) => (DEBUG_SECTIONS as readonly string[]).includes(s.name) && s.size > 0);
    for (let i = 0; i < ITERATIONS; i++) {
      const s = secs[rnd(secs.length)];
      const bytes = s.data().slice();
      const n = 1 + rnd(6);
      const changes: string[] = [];
      for (let k = 0; k < n; k++) {
        const at = rnd(bytes.length);
        // Mostly bit flips; sometimes the values that trip length and form fields.
        const v = rnd(4) === 0 ? [0, 0xff, 0x7f, 0x80][rnd(4)] : bytes[at] ^ (1 << rnd(8));
        bytes[at] = v;
        changes.push(`${at}=${v}`);
      }
      check(`iteration ${i}: ${s.name} [${changes.join(' ')}]`, f, withSection(f.elf, s.name, bytes), st);
    }
  });
}

test('an image without debug info: empty answers, unwinding still works from symbols', () => {
  const f = fixture('recurse-O0.elf');
  const st = stateOf(f);
  const bare = loadDebugInfo({ ...f.elf, sections: f.elf.sections.filter((s) => !s.name.startsWith('.debug') && s.name !== '.eh_frame') });
  assert.equal(bare.hasDebugInfo, false);
  assert.deepEqual(bare.sourceFiles(), []);
  assert.equal(bare.lineFor(st.pc), undefined);
  assert.equal(bare.functionAt(st.pc), undefined);
  assert.equal(bare.functionByName('main'), undefined);
  assert.deepEqual(bare.addressesFor('recurse.c', 20), []);
  assert.deepEqual(bare.scopesAt(st.pc), []);
  assert.deepEqual(bare.globals(), []);
  assert.deepEqual(bare.loadAll(), []);
  // Symbols give function starts, so the prologue analysis recovers the same frames as the CFI.
  const full = f.dbg.unwind(st.regs, st.pc, st.mem32);
  const frames = bare.unwind(st.regs, st.pc, st.mem32);
  assert.deepEqual(frames.slice(0, full.length).map((x) => [x.pc, x.cfa]), full.map((x) => [x.pc, x.cfa]));
  assert.equal(frames[0].unwoundBy, 'prologue');
});
