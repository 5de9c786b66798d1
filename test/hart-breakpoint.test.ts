// The hart's breakpoint hook (Hart.setBreakpoints + breakOn): a full-speed run that stops before
// every execution of a flagged pc must see exactly the (icount, pc) hits that an interpreter
// stepping one instruction at a time sees, including the first instruction of a trap handler,
// code the JIT had already translated, and a run resumed from a stop at a breakpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VirtMachine } from '../core/machine/virt';
import { Gate } from '../core/replay/gate';
import { HostClock } from '../core/replay/host-clock';
import { EXAMPLES } from './helpers/run';

class FrozenClock extends HostClock {
  override wallNs(): bigint { return 1_700_000_000_123_456_789n; }
  override monotonicNs(): bigint { return 42_000_000n; }
}

function machine(name: string, jit: boolean): VirtMachine {
  const elf = path.join(EXAMPLES, name);
  const m = new VirtMachine(fs.readFileSync(elf), elf, { gate: Gate.none(new FrozenClock()), ramMiB: 16 });
  m.hart.useJit = jit;
  m.hart.jit.hotAfter = 1; // translate at once, so that breakpoints land on translated code
  return m;
}

type Hit = [icount: number, pc: number];

/**
 * The reference: one instruction at a time in the interpreter, noting every instruction about to
 * execute at a pc of the set (seen at execute()'s entry, so after the machine took an interrupt).
 */
function stepped(name: string, pcs: Set<number>, until: number): Hit[] {
  const m = machine(name, false);
  const hits: Hit[] = [];
  const hart = m.hart;
  const execute = hart.execute.bind(hart);
  hart.execute = (limit: number) => {
    const last = hits[hits.length - 1];
    if (hart.icount < limit && pcs.has(hart.pc | 0) && (last === undefined || last[0] !== hart.icount)) hits.push([hart.icount, hart.pc >>> 0]);
    return execute(limit);
  };
  while (hart.icount < until && m.run(hart.icount + 1).kind === 'limit') { /* step */ }
  return hits;
}

/** The hook: full speed (JIT on), stopping at each hit and resuming past it. */
function hooked(name: string, pcs: Set<number>, until: number, warmup: number): Hit[] {
  const m = machine(name, true);
  // Translate the hot code first: setting breakpoints must drop those regions.
  m.run(warmup);
  const hits: Hit[] = [];
  m.hart.setBreakpoints(pcs);
  m.hart.breakOn = true;
  m.hart.resumeHere(false); // a hit exactly at the start counts
  for (;;) {
    const r = m.run(until);
    if (r.kind !== 'breakpoint') break;
    hits.push([m.hart.icount, m.hart.pc >>> 0]);
    m.hart.resumeHere();
  }
  return hits;
}

/** Pcs the guest executes: sampled from a plain run at spread-out icounts. */
function sampledPcs(name: string, until: number, every: number): Set<number> {
  const m = machine(name, false);
  const pcs = new Set<number>();
  while (m.hart.icount < until) {
    if (m.run(m.hart.icount + every).kind !== 'limit') break;
    pcs.add(m.hart.pc | 0);
  }
  return pcs;
}

test('bench-small: hits at sampled pcs equal a single-stepped run, with code translated before', () => {
  const until = 400_000;
  const pcs = sampledPcs('bench-small.elf', until, 9_973);
  assert.ok(pcs.size >= 3, `sampled ${pcs.size} pcs`);
  const warmup = 50_000;
  const want = stepped('bench-small.elf', pcs, until).filter(([ic]) => ic >= warmup);
  assert.ok(want.length > 20, `only ${want.length} hits: the test would prove little`);
  assert.deepEqual(hooked('bench-small.elf', pcs, until, warmup), want);
});

test('timer: a breakpoint on the trap handler\'s first instruction stops on entry to every interrupt', () => {
  const probe = machine('timer.elf', false);
  probe.run(200_000);
  const handler = probe.hart.mtvec & ~3;
  assert.notEqual(handler, 0, 'the guest set mtvec');
  const pcs = new Set([handler | 0]);
  const until = 1_000_000; // the guest ends at ~155k
  const want = stepped('timer.elf', pcs, until);
  assert.ok(want.length >= 2, `only ${want.length} interrupts in ${until} instructions`);
  assert.deepEqual(hooked('timer.elf', pcs, until, 0), want);
});

test('a stop leaves the instruction unexecuted; resumeHere skips it once; breakOn off ignores breakpoints', () => {
  const m = machine('bench-small.elf', true);
  m.run(30_000);
  const pc = m.hart.pc | 0;
  const ic = m.hart.icount;
  m.hart.setBreakpoints([pc]);
  m.hart.breakOn = true;
  m.hart.resumeHere(false);
  assert.equal(m.run(ic + 1_000_000).kind, 'breakpoint');
  assert.equal(m.hart.icount, ic, 'nothing executed');
  assert.equal(m.hart.pc | 0, pc);
  m.hart.resumeHere();
  const r = m.run(ic + 1_000_000);
  // Either the loop comes back to pc, or the run goes on to the limit: never a stop where it started.
  assert.ok(r.kind !== 'breakpoint' || m.hart.icount > ic, 'resumed past the breakpoint');
  m.hart.breakOn = false;
  const before = m.hart.icount;
  assert.equal(m.run(before + 100_000).kind, 'limit');
  assert.equal(m.hart.icount, before + 100_000);
  m.hart.setBreakpoints([]);
  m.hart.breakOn = true;
  assert.equal(m.run(before + 200_000).kind, 'limit', 'an empty set never stops');
});

test('a breakpoint keeps only its own instruction from translated code: the rest of its page stays translated', () => {
  const m = machine('bench-small.elf', true);
  m.run(30_000);
  const hot = m.hart.pc >>> 0; // in a hot loop by now
  const other = ((hot & ~0xfff) === hot ? hot + 2 : hot & ~0xfff) >>> 0; // same page, not this pc
  m.hart.setBreakpoints([other]);
  m.hart.breakOn = true;
  m.hart.resumeHere(false);
  const r = m.run(m.hart.icount + 300_000);
  assert.ok(r.kind === 'limit' || r.kind === 'breakpoint');
  const e = m.hart.jit.entry(hot);
  assert.ok(e !== undefined && e.fn !== null, `translated code at 0x${hot.toString(16)} on the breakpoint's page`);
  // The breakpoint's own instruction starts a block whose flag makes translated code leave before it.
  m.hart.jit.hotAfter = 1;
  const b = m.hart.jit.entry(other);
  assert.ok(b === undefined || b.fn === null || b.region.flags[b.label] === 1, 'translated code stops before the breakpoint instruction');
});

test('a breakpoint set, lifted and set again at a block start flips its flag: nothing is translated again', () => {
  const m = machine('bench-small.elf', true);
  m.run(30_000);
  const hot = m.hart.pc >>> 0; // in a hot loop
  m.hart.setBreakpoints([hot]); // may split a block once
  m.run(m.hart.icount + 100_000);
  const { invalidated } = m.hart.jit.stats;
  const region = m.hart.jit.entry(hot)?.region;
  assert.ok(region !== undefined && region.fn !== null, 'translated');
  for (let i = 0; i < 4; i++) {
    m.hart.setBreakpoints(i % 2 === 0 ? [] : [hot]);
    m.run(m.hart.icount + 100_000);
  }
  assert.equal(m.hart.jit.stats.invalidated, invalidated, 'no region dropped');
  const e = m.hart.jit.entry(hot);
  assert.ok(e !== undefined && e.region === region, 'the same region runs');
  assert.equal(e.region.flags[e.label], 1, 'the breakpoint is a flagged block start');
});
