// Backtraces and variables against gdb. Each scenario stops a fixture at a breakpoint twice: in
// gdb, driving QEMU (`target remote | qemu-system-riscv32 ... -gdb stdio`: a pipe, so no TCP port
// to pick or race for), and on rvreplay's emulator, which reaches the same machine state because
// both machines are deterministic. Then every frame gdb shows (function, pc, CFA, source line,
// `info args`, `info locals`) and every global (`output g`) must match what the DWARF layer
// unwinds and formats from our state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseElf } from '../core/elf/elf';
import { loadDebugInfo } from '../core/dwarf/index';
import { EXAMPLES } from './helpers/run';
import { QEMU, needTools } from './helpers/tools';
import { basename, fixture, hex, mem32Reader, memReader, runTo, type Fixture } from './fixtures/dwarf/support';
import type { Frame, Scope } from '../core/dwarf/index';
import type { Die } from '../core/dwarf/info';
import { AT, TAG } from '../core/dwarf/constants';

const GDB = 'gdb-multiarch';
const MAX_FRAMES = 12;

interface GdbFrame {
  level: number;
  fn: string;
  /** "file:line" as bt shows it, or '' without line info. */
  where: string;
  pc: number;
  cfa: number;
  args: string[];
  locals: string[];
}

interface GdbResult {
  frames: GdbFrame[];
  globals: Map<string, string>;
  raw: string;
}

function runGdb(f: Fixture, bp: string, hits: number, globals: string[], semihosting: boolean): GdbResult {
  // Semihosting console output goes to a null chardev: QEMU's stdout is the gdb pipe.
  const sh = semihosting ? ' -chardev null,id=sh -semihosting-config enable=on,chardev=sh' : '';
  const cmds = [
    'set width 0', 'set height 0', 'set pagination off', 'set confirm off', 'set print entry-values no',
    `target remote | ${QEMU} -M virt -bios none -display none -serial null -monitor none${sh} -S -gdb stdio -kernel ${f.path}`,
    `break ${bp}`,
  ];
  for (let i = 0; i < hits; i++) cmds.push('continue');
  for (let i = 0; i < MAX_FRAMES; i++) {
    cmds.push(`echo @@FRAME ${i}\\n`, `frame ${i}`, 'info frame', 'echo @@ARGS\\n', 'info args', 'echo @@LOCALS\\n', 'info locals');
  }
  cmds.push('echo @@GLOBALS\\n');
  for (const g of globals) cmds.push(`echo @@G ${g}\\n`, `output ${g}`, 'echo \\n');
  cmds.push('echo @@END\\n', 'kill');
  const args = ['-nx', '-batch'];
  for (const c of cmds) args.push('-ex', c);
  args.push(f.path);
  const r = spawnSync(GDB, args, { encoding: 'utf8', timeout: 60_000 });
  assert.ok(r.stdout.includes('@@END'), `gdb did not finish:\n${r.stdout}\n${r.stderr}`);
  return parseGdb(r.stdout);
}

function parseGdb(out: string): GdbResult {
  const frames: GdbFrame[] = [];
  const chunks = out.split(/^@@FRAME (\d+)\n/m);
  // chunks: [preamble, level, body, level, body, ...]; the last body holds the globals too.
  for (let k = 1; k < chunks.length; k += 2) {
    const level = Number(chunks[k]);
    const body = chunks[k + 1].split('@@GLOBALS\n')[0];
    const stack = /^Stack level (\d+), frame at (0x[0-9a-f]+):\n pc = (0x[0-9a-f]+)/m.exec(body);
    // `frame N` past the outermost frame fails and `info frame` shows the previous one again.
    if (stack === null || Number(stack[1]) !== level) break;
    const head = new RegExp(`^#${level}\\s+(?:0x[0-9a-f]+ in )?(\\S+) \\(.*\\)(?: at (\\S+:\\d+))?`, 'm').exec(body);
    assert.ok(head, `no frame line for level ${level} in:\n${body}`);
    const section = (from: string, to: string): string[] => {
      const s = body.slice(body.indexOf(from) + from.length, to === '' ? undefined : body.indexOf(to));
      return s.split('\n').filter((l) => l !== '' && l !== 'No locals.' && l !== 'No arguments.');
    };
    frames.push({
      level,
      fn: head[1],
      // gdb shows the DWARF file name as is (relative) when the source is not on disk.
      where: head[2] === undefined ? '' : basename(head[2]),
      pc: parseInt(stack[3], 16),
      cfa: parseInt(stack[2], 16),
      args: section('@@ARGS\n', '@@LOCALS\n'),
      locals: section('@@LOCALS\n', ''),
    });
  }
  const globals = new Map<string, string>();
  const g = out.split('@@GLOBALS\n')[1]?.split('@@END')[0] ?? '';
  for (const m of g.matchAll(/^@@G (\S+)\n(.*)$/gm)) globals.set(m[1], m[2]);
  return { frames, globals, raw: out };
}

interface OurFrame {
  /** Locals come from more than one lexical block. */
  nested: boolean;
  fn: string;
  where: string;
  pc: number;
  cfa: number | undefined;
  args: string[];
  locals: string[];
}

/** The frames gdb would show: each physical frame expanded into its inlined scopes. */
function ourFrames(f: Fixture, frames: Frame[], mem: (a: number, n: number) => Uint8Array | undefined): OurFrame[] {
  const out: OurFrame[] = [];
  for (const fr of frames) {
    const scopes: Scope[] = f.dbg.scopesFor(fr);
    const lookup = fr.innermost ? fr.pc : fr.pc - 1;
    const line = f.dbg.lineFor(lookup);
    let where = line === undefined ? '' : `${basename(line.file)}:${line.line}`;
    if (scopes.length === 0) {
      out.push({ nested: false, fn: f.elf.symbolAt(lookup)?.name ?? '??', where, pc: fr.pc, cfa: fr.cfa, args: [], locals: [] });
      continue;
    }
    for (const s of scopes) {
      const show = (v: (typeof s.params)[number]): string => `${v.name} = ${f.dbg.format(f.dbg.readVariable(v, fr, mem), mem)}`;
      const blocks = new Set(s.locals.map((v) => v.die.parent));
      out.push({ nested: blocks.size > 1, fn: s.fn.name, where, pc: fr.pc, cfa: fr.cfa, args: s.params.map(show), locals: s.locals.map(show) });
      // The next (outer) scope is shown at the call site of this inlined one.
      if (s.fn.call !== undefined) where = s.fn.call.file === undefined ? '' : `${basename(s.fn.call.file)}:${s.fn.call.line}`;
    }
  }
  return out;
}

/** Names of the DW_TAG_label DIEs in the function containing pc. */
function labelNames(f: Fixture, pc: number, innermost: boolean): Set<string> {
  const fn = f.dbg.functionAt(innermost ? pc : pc - 1);
  const out = new Set<string>();
  const walk = (d: Die, depth: number): void => {
    for (const c of d.children) {
      if (c.tag === TAG.label && c.name !== undefined) out.add(c.name);
      if (depth < 32) walk(c.origin() === c ? c : c, depth + 1);
      const o = c.ref(AT.abstract_origin);
      if (o !== undefined && depth < 32) walk(o, depth + 1);
    }
  };
  if (fn !== undefined) walk(fn.die, 0);
  return out;
}

interface Scenario {
  /** A fixture name, or a path to another ELF. */
  elf: string;
  /** gdb linespec; we resolve the same one ourselves. */
  bp: string;
  hits: number;
  semihosting?: boolean;
}

const SCENARIOS: Scenario[] = [];
for (const elf of ['types-O0.elf', 'types-O2.elf', 'types-O0-dwarf4.elf', 'types-O0-tu4.elf', 'types-O0-tu5.elf']) SCENARIOS.push({ elf, bp: 'probe', hits: 1 });
for (const elf of ['recurse-O0.elf', 'recurse-O2.elf', 'recurse-O2-dwarf4.elf', 'recurse-eh.elf', 'recurse-nocfi.elf']) {
  SCENARIOS.push(
    { elf, bp: 'probe', hits: 1 }, // deepest recursion
    { elf, bp: 'probe', hits: 2 }, // inside the loop's nested block
    { elf, bp: 'recurse.c:31', hits: 2 }, // a line in a nested block
    { elf, bp: 'recurse.c:14', hits: 3 }, // square(): inlined at -O2
    { elf, bp: 'recurse.c:11', hits: 2 }, // counter()'s static local
  );
}

// Real-world code: Debian's picolibc (-Os, -msave-restore: prologues call __riscv_save_N).
const PICOLIBC = join(EXAMPLES, 'semihosting', 'hello.elf');
SCENARIOS.push(
  { elf: PICOLIBC, bp: '__d_vfprintf', hits: 5, semihosting: true },
  { elf: PICOLIBC, bp: '__dtoa_engine', hits: 2, semihosting: true },
  { elf: PICOLIBC, bp: 'sys_semihost_putc', hits: 30, semihosting: true },
  { elf: PICOLIBC, bp: 'mulShiftAll64', hits: 2, semihosting: true },
  { elf: PICOLIBC, bp: '__ultoa_invert', hits: 3, semihosting: true },
);

function load(elf: string): Fixture {
  if (!elf.includes('/')) return fixture(elf);
  const bytes = new Uint8Array(readFileSync(elf));
  const image = parseElf(bytes, basename(elf));
  return { name: basename(elf), path: elf, bytes, elf: image, dbg: loadDebugInfo(image) };
}

function ourBreakpoint(f: Fixture, spec: string): number[] {
  const m = /^(.*):(\d+)$/.exec(spec);
  if (m !== null) return f.dbg.addressesFor(m[1], Number(m[2]));
  const addrs = f.dbg.functionBreakpointAddresses(spec);
  assert.ok(addrs.length > 0, `no function ${spec}`);
  return addrs;
}

for (const sc of SCENARIOS) {
  test(`${basename(sc.elf)}: break ${sc.bp}, hit ${sc.hits}: frames and variables match gdb`, (t) => {
    if (!needTools(t, GDB, QEMU)) return;
    const f = load(sc.elf);
    // Globals of the program's own files (picolibc's have several same-named statics).
    const globals = [...new Set(f.dbg.globals().filter((g) => !g.declFile?.includes('newlib')).map((g) => g.name))];
    const gdb = runGdb(f, sc.bp, sc.hits, globals, sc.semihosting === true);
    assert.ok(gdb.frames.length >= 2, `gdb showed less than two frames:\n${gdb.raw}`);

    const addrs = ourBreakpoint(f, sc.bp);
    assert.ok(addrs.length > 0);
    const m = runTo(f.bytes, f.name, addrs, sc.hits, sc.semihosting ? { semihosting: { root: dirname(f.path), cmdline: f.name } } : {});
    const mem = memReader(m);
    assert.equal(hex(m.hart.pc), hex(gdb.frames[0].pc), 'stopped at the same pc');
    const frames = f.dbg.unwind(m.hart.x, m.hart.pc, mem32Reader(m));
    const ours = ourFrames(f, frames, mem);

    // gdb stops at main (backtrace past-main is off); we go on into the startup code.
    const extra = ours.slice(gdb.frames.length);
    assert.ok(extra.length === 0 || gdb.frames[gdb.frames.length - 1].fn === 'main', `frames beyond gdb's: ${extra.map((e) => e.fn).join(', ')}`);
    for (const [i, g] of gdb.frames.entries()) {
      const o = ours[i];
      assert.ok(o, `missing frame ${i} (${g.fn})`);
      const label = `frame ${i} (${g.fn})`;
      assert.equal(o.fn, g.fn, `${label}: function`);
      assert.equal(hex(o.pc), hex(g.pc), `${label}: pc`);
      assert.equal(o.cfa === undefined ? 'unknown' : hex(o.cfa), hex(g.cfa), `${label}: CFA`);
      assert.equal(o.where, g.where, `${label}: source line`);
      assert.deepEqual(o.args, g.args, `${label}: info args`);
      // gdb lists C labels without an address (goto targets) as optimized-out locals; we do not.
      const labels = labelNames(f, o.pc, i === 0);
      // In callers, a variable in a caller-saved register is gone: gdb shows the callee's value
      // of the register, we say <not saved>.
      const notSaved = new Set(o.locals.filter((l) => l.endsWith(' = <not saved>')).map((l) => l.slice(0, l.indexOf(' = '))));
      const theirs = g.locals
        .filter((l) => !labels.has(l.slice(0, l.indexOf(' = '))))
        .map((l) => (i > 0 && notSaved.has(l.slice(0, l.indexOf(' = '))) ? `${l.slice(0, l.indexOf(' = '))} = <not saved>` : l));
      // Within a lexical block gdb's order is its symbol hash table's; ours is declaration order.
      // So: the same lines, and in the same order when no lexical block is involved.
      if (o.nested) assert.deepEqual([...o.locals].sort(), [...theirs].sort(), `${label}: info locals`);
      else assert.deepEqual(o.locals, theirs, `${label}: info locals`);
    }

    for (const v of f.dbg.globals().filter((g) => globals.includes(g.name))) {
      const theirs = gdb.globals.get(v.name);
      assert.ok(theirs !== undefined, `gdb printed nothing for ${v.name}`);
      const text = f.dbg.format(f.dbg.readVariable(v, undefined, mem), mem);
      // `output` prefixes top-level pointers with their type; `info locals` does not.
      const alt = `(${f.dbg.typeName(v.type)}) ${text}`;
      assert.ok(theirs === text || theirs === alt, `global ${v.name}: ours ${text}, gdb ${theirs}`);
    }
  });
}
