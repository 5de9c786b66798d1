// Line tables and functions against binutils and gdb: every decoded row against objdump
// --dwarf=decodedline, pc → line for every halfword of .text against gdb's `info line *pc`,
// breakpoint placement for every source line and every function against gdb's `break`, and
// function ranges against the ELF symbol table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needTools, OBJDUMP } from './helpers/tools';
import { ALL_ELFS, FIXTURES, basename, fixture, hex } from './fixtures/dwarf/support';
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

/** Source files and the fixtures that compile them. */
const SOURCES: Array<[string, string]> = [
  ['recurse.c', join(FIXTURES, 'recurse.c')],
  ['types.c', join(FIXTURES, 'types.c')],
  ['exit.c', join(EXAMPLES, 'exit.c')],
  ['virt.h', join(EXAMPLES, 'virt.h')],
];

for (const name of ALL_ELFS) {
  test(`${name}: breakpoints on every source line and function land where gdb puts them`, (t) => {
    if (!needTools(t, GDB)) return;
    const f = fixture(name);
    const own = name.startsWith('types') ? 'types.c' : 'recurse.c';
    const args = ['-nx', '-batch', '-ex', 'set width 0'];
    const specs: string[] = [];
    for (const [src, path] of SOURCES) {
      if (src.endsWith('.c') && src !== own && src !== 'exit.c') continue;
      const n = readFileSync(path, 'utf8').split('\n').length;
      for (let line = 1; line <= n; line++) specs.push(`${src}:${line}`);
    }
    for (const fn of f.dbg.allFunctions()) specs.push(fn.name);
    specs.forEach((s, i) => args.push('-ex', `echo @@${i}\\n`, '-ex', `break ${s}`));
    args.push('-ex', 'echo @@INFO\\n', '-ex', 'info breakpoints', f.path);
    const out = run(GDB, args);
    const [head, table] = out.split('@@INFO\n');
    const numToSpec = new Map<number, number>();
    let cur = -1;
    for (const l of head.split('\n')) {
      const m = /^@@(\d+)$/.exec(l);
      if (m !== null) cur = Number(m[1]);
      const b = /^Breakpoint (\d+) at/.exec(l);
      if (b !== null) numToSpec.set(Number(b[1]), cur);
    }
    const gdb = new Map<number, { line: number; addrs: Set<number> }>();
    for (const l of table.split('\n')) {
      const m = /^(\d+)\s+breakpoint\s+keep\s+y\s+(0x[0-9a-f]+|<MULTIPLE>)\s*(?:in \S+ at \S+:(\d+))?/.exec(l);
      if (m !== null) {
        gdb.set(numToSpec.get(Number(m[1]))!, { line: m[3] ? Number(m[3]) : 0, addrs: new Set(m[2].startsWith('0x') ? [parseInt(m[2], 16)] : []) });
        continue;
      }
      const loc = /^(\d+)\.\d+\s+y\s+(0x[0-9a-f]+)\s+in \S+ at \S+:(\d+)/.exec(l);
      if (loc !== null) {
        const e = gdb.get(numToSpec.get(Number(loc[1]))!)!;
        e.addrs.add(parseInt(loc[2], 16));
        e.line = Number(loc[3]);
      }
    }
    let checked = 0;
    specs.forEach((spec, i) => {
      const g = gdb.get(i);
      const m = /^(.*):(\d+)$/.exec(spec);
      let ours: string;
      if (m !== null) {
        const r = f.dbg.resolveBreakpoint(m[1], Number(m[2]));
        ours = r === undefined ? 'none' : `${r.line} ${r.addresses.map(hex).join(',')}`;
      } else {
        const fn = f.dbg.functionByName(spec)!;
        const pc = f.dbg.breakpointAddress(fn);
        ours = `${f.dbg.lineFor(pc)?.line} ${hex(pc)}`;
      }
      const theirs = g === undefined ? 'none' : `${g.line} ${[...g.addrs].sort((a, b) => a - b).map(hex).join(',')}`;
      assert.equal(ours, theirs, `break ${spec}`);
      checked++;
    });
    assert.ok(checked > 60);
  });
}
