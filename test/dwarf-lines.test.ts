// Line tables and functions against binutils and gdb: every decoded row against objdump
// --dwarf=decodedline, pc → line for every halfword of .text against gdb's `info line *pc`,
// breakpoint placement for every source line and every function against gdb's `break`, and
// function ranges against the ELF symbol table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { needTools, OBJDUMP } from './helpers/tools';
import { ALL_ELFS, FIXTURES, basename, fixture, hex, type Fixture } from './fixtures/dwarf/support';
import { parseElf } from '../core/elf/elf';
import { loadDebugInfo } from '../core/dwarf/index';
import { normalizePath } from '../core/dwarf/line';

const GDB = 'gdb-multiarch';
const READELF = 'riscv64-unknown-elf-readelf';
const EXAMPLES = join(FIXTURES, '..', '..', '..', 'examples');

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  assert.equal(r.status, 0, `${cmd} failed: ${r.stderr}`);
  return r.stdout;
}

for (const name of ALL_ELFS) {
  test(`${name}: every line-table row matches objdump --dwarf=decodedline`, (t) => {
    if (!needTools(t, OBJDUMP)) return;
    const f = fixture(name);
    const out = run(OBJDUMP, ['--dwarf=decodedline', '-w', f.path]);
    const theirs: string[] = [];
    const headers: string[] = [];
    for (const l of out.split('\n')) {
      const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(?:\s+(\d+))?\s*(x)?\s*$/.exec(l);
      if (m !== null) theirs.push(`${m[1]} ${m[2]} ${m[3]}${m[5] ? ' stmt' : ''}`);
      const h = /^(?:CU: )?(\S+):$/.exec(l);
      if (h !== null && !l.startsWith('Contents')) headers.push(h[1]);
    }
    const ours: string[] = [];
    const dbg = f.dbg;
    for (const tb of dbg.lineTables()) {
      for (const s of tb.sequences) {
        for (const r of s.rows) ours.push(`${basename(tb.paths[r.file])} ${r.endSequence ? '-' : r.line} ${hex(r.address)}${r.isStmt && !r.endSequence ? ' stmt' : ''}`);
      }
    }
    assert.ok(theirs.length > 50, 'objdump printed rows');
    assert.deepEqual(ours, theirs);
    // The file headers objdump prints are relative to the compilation directory.
    const files = new Set(dbg.sourceFiles());
    const compDir = dbg.allFunctions()[0].die.unit.compDir ?? '';
    for (const h of headers) {
      const abs = normalizePath(h.startsWith('/') ? h : `${compDir}/${h}`);
      assert.ok(files.has(abs), `${h} (as ${abs}) is not among the source files: ${[...files].join(', ')}`);
    }
  });

  test(`${name}: pc → line for every halfword of .text matches gdb's info line`, (t) => {
    if (!needTools(t, GDB)) return;
    const f = fixture(name);
    const text = f.elf.sections.find((s) => s.name === '.text');
    assert.ok(text);
    const pcs: number[] = [];
    const args = ['-nx', '-batch'];
    for (let a = text.addr; a < text.addr + text.size; a += 2) {
      pcs.push(a);
      args.push('-ex', `info line *${hex(a)}`);
    }
    args.push(f.path);
    const out = run(GDB, args).trim().split('\n');
    assert.equal(out.length, pcs.length);
    pcs.forEach((pc, i) => {
      const m = /^Line (\d+) of "(.*)" starts at/.exec(out[i]);
      const theirs = m !== null ? `${basename(m[2])}:${m[1]}` : out[i].startsWith('No line number') ? 'none' : out[i];
      const li = f.dbg.lineFor(pc);
      const ours = li === undefined ? 'none' : `${basename(li.file)}:${li.line}`;
      assert.equal(ours, theirs, `line at ${hex(pc)}`);
      if (li !== undefined) {
        const r = f.dbg.lineRange(pc);
        assert.ok(r !== undefined && r.start <= pc && pc < r.end && r.line === li.line, `line range at ${hex(pc)}`);
        assert.ok(li.address <= pc);
      }
    });
  });

  test(`${name}: function ranges match the ELF symbol table`, (t) => {
    if (!needTools(t, READELF)) return;
    const f = fixture(name);
    const syms = new Map<string, { value: number; size: number }>();
    for (const l of run(READELF, ['-sW', f.path]).split('\n')) {
      const m = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+FUNC\s+\S+\s+\S+\s+\S+\s+(\S+)$/.exec(l);
      if (m !== null) syms.set(m[3], { value: parseInt(m[1], 16), size: Number(m[2]) });
    }
    const fns = f.dbg.allFunctions();
    assert.ok(fns.length >= 4);
    for (const fn of fns) {
      const s = syms.get(fn.name);
      assert.ok(s, `${fn.name} has no FUNC symbol`);
      assert.equal(hex(fn.lowPc), hex(s.value), `${fn.name} start`);
      if (fn.ranges.length === 1) assert.equal(fn.highPc - fn.lowPc, s.size, `${fn.name} size`);
      for (const [lo, hi] of fn.ranges) {
        for (const pc of [lo, hi - 2]) assert.equal(f.dbg.functionAt(pc)?.name, fn.name, `functionAt(${hex(pc)})`);
      }
      assert.ok(f.dbg.functionsByName(fn.name).includes(fn));
      assert.ok(fn.declLine !== undefined && fn.declFile !== undefined, `${fn.name} declaration`);
    }
    // Every function in DWARF has a symbol, and every sized C function symbol is in DWARF.
    for (const [sym] of syms) {
      if (sym === 'trap' || f.dbg.functionByName(sym) !== undefined) continue;
      assert.fail(`symbol ${sym} has no DWARF function`);
    }
  });
}

/**
 * Real-world DWARF besides the fixtures: Debian's picolibc (-Os, -msave-restore, assembly with
 * DWARF subprograms, discriminators) in the committed semihosting examples.
 */
const EXAMPLE_ELFS = [join(EXAMPLES, 'semihosting', 'hello.elf'), join(EXAMPLES, 'semihosting', 'cat.elf'), join(EXAMPLES, 'hello.elf')];

function load(path: string): Fixture {
  if (!path.includes('/')) return fixture(path);
  const bytes = new Uint8Array(readFileSync(path));
  const elf = parseElf(bytes, basename(path));
  return { name: basename(path), path, bytes, elf, dbg: loadDebugInfo(elf) };
}

for (const path of EXAMPLE_ELFS) {
  test(`${relative(join(EXAMPLES, '..'), path)}: pc → line for every halfword of .text matches gdb's info line`, (t) => {
    if (!needTools(t, GDB)) return;
    const f = load(path);
    const text = f.elf.sections.find((s) => s.name === '.text')!;
    const args = ['-nx', '-batch'];
    const pcs: number[] = [];
    for (let a = text.addr; a < text.addr + text.size; a += 2) {
      pcs.push(a);
      args.push('-ex', `info line *${hex(a)}`);
    }
    const out = run(GDB, [...args, f.path]).trim().split('\n');
    assert.equal(out.length, pcs.length);
    pcs.forEach((pc, i) => {
      const m = /^Line (\d+) of "(.*)" starts at/.exec(out[i]);
      const theirs = m !== null ? `${basename(m[2])}:${m[1]}` : out[i].startsWith('No line number') ? 'none' : out[i];
      const li = f.dbg.lineFor(pc);
      assert.equal(li === undefined ? 'none' : `${basename(li.file)}:${li.line}`, theirs, `line at ${hex(pc)}`);
    });
  });
}

/**
 * Every line of every source file (named by its basename, when that is unambiguous) and every
 * function, as `break` specs: our placement must equal gdb's, address for address.
 */
function checkBreakpoints(f: Fixture): void {
  const dbg = f.dbg;
  const files = dbg.sourceFiles();
  const count = new Map<string, number>();
  for (const p of files) count.set(basename(p), (count.get(basename(p)) ?? 0) + 1);
  const maxLine = new Map<string, number>();
  for (const tb of dbg.lineTables()) {
    for (const s of tb.sequences) for (const r of s.rows) maxLine.set(tb.paths[r.file], Math.max(maxLine.get(tb.paths[r.file]) ?? 0, r.line));
  }
  const specs: string[] = [];
  for (const p of files) {
    if (count.get(basename(p))! > 1) continue;
    for (let line = 1; line <= (maxLine.get(p) ?? 0) + 1; line++) specs.push(`${basename(p)}:${line}`);
  }
  for (const fn of dbg.allFunctions()) if (!specs.includes(fn.name)) specs.push(fn.name);
  const args = ['-nx', '-batch', '-ex', 'set width 0'];
  specs.forEach((s, i) => args.push('-ex', `echo @@${i}\\n`, '-ex', `break ${s}`));
  args.push('-ex', 'echo @@INFO\\n', '-ex', 'info breakpoints', f.path);
  const [head, table] = run(GDB, args).split('@@INFO\n');
  const numToSpec = new Map<number, number>();
  let cur = -1;
  for (const l of head.split('\n')) {
    const m = /^@@(\d+)$/.exec(l);
    if (m !== null) cur = Number(m[1]);
    const b = /^Breakpoint (\d+) at/.exec(l);
    if (b !== null) numToSpec.set(Number(b[1]), cur);
  }
  // gdb's "What" column is "in fn at file:line", or just "file:line" outside known functions.
  const gdb = new Map<number, { line: number; addrs: Set<number> }>();
  for (const l of table.split('\n')) {
    const m = /^(\d+)\s+breakpoint\s+keep\s+y\s+(0x[0-9a-f]+|<MULTIPLE>)\s*(?:(?:in \S+ at )?\S+:(\d+))?/.exec(l);
    if (m !== null) {
      gdb.set(numToSpec.get(Number(m[1]))!, { line: m[3] ? Number(m[3]) : 0, addrs: new Set(m[2].startsWith('0x') ? [parseInt(m[2], 16)] : []) });
      continue;
    }
    const loc = /^(\d+)\.\d+\s+y\s+(0x[0-9a-f]+)\s+(?:in \S+ at )?\S+:(\d+)/.exec(l);
    if (loc !== null) {
      const e = gdb.get(numToSpec.get(Number(loc[1]))!)!;
      e.addrs.add(parseInt(loc[2], 16));
      e.line = Number(loc[3]);
    }
  }
  const sorted = (a: Iterable<number>): string => [...a].sort((x, y) => x - y).map(hex).join(',');
  specs.forEach((spec, i) => {
    const g = gdb.get(i);
    const m = /^(.*):(\d+)$/.exec(spec);
    if (m !== null) {
      const r = dbg.resolveBreakpoint(m[1], Number(m[2]));
      const ours = r === undefined ? 'none' : `${r.line} ${sorted(r.addresses)}`;
      assert.equal(ours, g === undefined ? 'none' : `${g.line} ${sorted(g.addrs)}`, `break ${spec}`);
    } else {
      // Functions: out-of-line copies and every inlined instance (gdb reports one line for all).
      assert.equal(sorted(dbg.functionBreakpointAddresses(spec)), sorted(g?.addrs ?? []), `break ${spec}`);
    }
  });
  assert.ok(specs.length > 60);
}

for (const name of [...ALL_ELFS, join(EXAMPLES, 'semihosting', 'hello.elf')]) {
  test(`${basename(name)}: breakpoints on every source line and function land where gdb puts them`, (t) => {
    if (!needTools(t, GDB)) return;
    checkBreakpoints(load(name));
  });
}
