// The debugger runtime (core/debug/debugger.ts) without DAP: stepping by line and instruction in
// both directions, reverse continue to breakpoints and watchpoints, the record-mode live edge,
// refused edits in history, and guest misbehaviour. The guest is test/fixtures/debugger/debugme.c
// (-O0); line numbers below refer to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchVm, LaunchError, type DebugLaunchConfig } from '../core/debug/launch';
import { Debugger, DebugError, type Stop } from '../core/debug/debugger';
import { runMonitorCommand } from '../core/debug/monitor';
import { disassembleBytes } from '../core/isa/disasm';
import { CLI, EXAMPLES, runProcess } from './helpers/run';
import { DebugSession } from './helpers/debug-session';

const FIXTURE = path.join(__dirname, 'fixtures', 'debugger');
const ELF = path.join(FIXTURE, 'debugme.elf');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-debugger-'));

/** A debugger on a fresh machine running debugme.elf unless told otherwise. */
class Session extends DebugSession {
  constructor(cfg: DebugLaunchConfig = {}) {
    super({ program: ELF, ...cfg });
  }

  line(): number | undefined {
    return this.d.currentLine().line;
  }

  local(name: string): string | undefined {
    const v = this.d.locals(0).find((x) => x.name === name);
    return v === undefined ? undefined : this.d.formatValue(v.value);
  }

  eval(expr: string): string {
    return this.d.formatValue(this.d.evaluateValue(expr));
  }

  /** Breakpoints on source lines of debugme.c (replacing the previous ones). */
  breakAt(...lines: (number | { line: number; condition?: string; hitCondition?: string; logMessage?: string })[]): void {
    const dbg = this.d.dbg!;
    this.d.setBreakpoints('source:debugme.c', 'source', lines.map((l) => {
      const spec = typeof l === 'number' ? { line: l } : l;
      const loc = dbg.resolveBreakpoint('debugme.c', spec.line)!;
      return { pcs: loc.addresses, condition: spec.condition, hitCondition: spec.hitCondition, logMessage: spec.logMessage, label: `debugme.c:${loc.line}` };
    }));
  }

  async runTo(line: number): Promise<Stop> {
    this.breakAt(line);
    const s = await this.do((d) => d.continue());
    this.breakAt();
    return s;
  }
}

test('next x5 then stepBack x5 visits the same lines in reverse with the same variable values', async () => {
  const s = new Session();
  const first = await s.runTo(28);
  assert.equal(first.reason, 'breakpoint');
  assert.equal(s.line(), 28);
  const forward: string[] = [];
  const state = (): string => `${s.line()} i=${s.local('i')} sum=${s.local('sum')} s=${s.local('s')}`;
  forward.push(state());
  for (let k = 0; k < 5; k++) {
    const st = await s.do((d) => d.step('next'));
    assert.equal(st.reason, 'step');
    forward.push(state());
  }
  // The loop: 28, 29, back to the for line (26), 27, 28, 29.
  assert.deepEqual(forward.map((x) => Number(x.split(' ')[0])), [28, 29, 26, 27, 28, 29]);
  const backward: string[] = [state()];
  for (let k = 0; k < 5; k++) {
    const st = await s.do((d) => d.stepBack('line'));
    assert.equal(st.reason, 'step');
    assert.match(st.description, /in history \(icount \d+ of \d+\)/);
    backward.push(state());
  }
  assert.deepEqual(backward.reverse(), forward);
});

test('stepBack over a function call does not enter it', async () => {
  const s = new Session();
  await s.runTo(28); // just after `s = square(i)` on line 27
  const st = await s.do((d) => d.stepBack('line'));
  assert.equal(st.reason, 'step');
  assert.equal(s.line(), 27);
  assert.deepEqual(s.d.stack().map((f) => f.name), ['main', '_start']);
  // Forward again with `step in`: now it does enter square, after its prologue.
  await s.do((d) => d.step('in'));
  assert.equal(s.line(), 13);
  assert.deepEqual(s.d.stack().slice(0, 2).map((f) => f.name), ['square', 'main']);
  assert.equal(s.local('v'), '0');
  // Reverse step out: back to the call instruction in main.
  const out = await s.do((d) => d.reverseStepOut());
  assert.equal(out.reason, 'step');
  assert.equal(s.line(), 27);
  assert.equal(s.d.stack()[0].name, 'main');
  assert.match(disassembleBytes(s.d.readMem(s.d.pc, 4)!, s.d.pc, 1)[0].text, /^jal /, 'stopped on the jal that calls square');
  // Step out forward from inside square returns to main, mid-line 27.
  await s.do((d) => d.step('in'));
  await s.do((d) => d.step('in'));
  assert.equal(s.d.stack()[0].name, 'square');
  await s.do((d) => d.step('out'));
  assert.equal(s.d.stack()[0].name, 'main');
  assert.equal(s.line(), 27);
});

test('reverseContinue from after the loop stops at the last iteration\'s hit, then the one before; a condition is honoured', async () => {
  const s = new Session();
  await s.runTo(31);
  s.breakAt(29);
  let st = await s.do((d) => d.reverseContinue());
  assert.equal(st.reason, 'breakpoint');
  assert.equal(st.breakpointIds.length, 1);
  assert.equal(s.line(), 29);
  assert.equal(s.local('i'), '4');
  st = await s.do((d) => d.reverseContinue());
  assert.equal(s.line(), 29);
  assert.equal(s.local('i'), '3', 'the loop counter one lower');
  // With a condition: the last hit before now that satisfies it.
  s.breakAt({ line: 29, condition: 'i == 1 && sum == 1' });
  st = await s.do((d) => d.reverseContinue());
  assert.equal(st.reason, 'breakpoint');
  assert.equal(s.local('i'), '1');
  // None before: the start of the recording.
  st = await s.do((d) => d.reverseContinue());
  assert.equal(st.reason, 'entry');
  assert.match(st.description, /start of recording/);
  assert.equal(s.d.icount, 0);
});

test('bug hunt: from the crash, a write watchpoint on the corrupted global and reverseContinue find the line that wrote it', async () => {
  const s = new Session();
  const end = await s.do((d) => d.continue());
  assert.equal(end.reason, 'exit');
  assert.match(s.output, /guard corrupted\nunexpected trap mcause=00000001/);
  const addr = s.d.evaluateValue('&g_guard');
  const a = Number(BigInt.asUintN(32, BigInt('0x' + [...addr.bytes].reverse().map((b) => b.toString(16).padStart(2, '0')).join(''))));
  s.d.setWatchpoints([{ addr: a, size: 4, access: 'write', label: 'g_guard' }]);
  const st = await s.do((d) => d.reverseContinue());
  assert.equal(st.reason, 'data breakpoint');
  assert.equal(s.line(), 19, 'a[i] = (i + 1) * 10 in fill()');
  assert.equal(s.d.stack()[0].name, 'fill');
  assert.equal(s.local('i'), '4', 'one past the end of g_values');
  assert.equal(s.eval('g_guard'), String(0x1234), 'stopped before the write: the old value');
  // Forward one instruction at a time until the write is seen.
  const fwd = await s.do((d) => d.continue());
  assert.equal(fwd.reason, 'data breakpoint');
  assert.equal(s.eval('g_guard'), '50');
});

test('a watchpoint stops forward on a write, with its condition', async () => {
  const s = new Session();
  await s.runTo(23);
  const total = s.d.evaluateValue('&g_total');
  const addr = Number(BigInt.asUintN(32, BigInt(new DataView(total.bytes.buffer, total.bytes.byteOffset).getUint32(0, true))));
  s.d.setWatchpoints([{ addr, size: 4, access: 'write', label: 'g_total', condition: 'g_total > 4' }]);
  const st = await s.do((d) => d.continue());
  assert.equal(st.reason, 'data breakpoint');
  assert.equal(s.eval('g_total'), '5');
  assert.equal(s.local('i'), '2');
});

test('10 stepIn(instruction) then 10 stepBack(instruction) visit the same pcs in reverse', async () => {
  const s = new Session();
  await s.runTo(27);
  const pcs = [s.d.pc];
  for (let k = 0; k < 10; k++) { await s.do((d) => d.step('in', 'instruction')); pcs.push(s.d.pc); }
  assert.ok(new Set(pcs).size > 5, 'it went somewhere');
  const back = [s.d.pc];
  for (let k = 0; k < 10; k++) {
    const st = await s.do((d) => d.stepBack('instruction'));
    assert.equal(st.jumped, true);
    back.push(s.d.pc);
  }
  assert.deepEqual(back.reverse(), pcs);
});

test('record mode: history before the frontier, live at it; after stepping back the run finishes live and the rrfile replays the same output', async () => {
  const s = new Session({ rr: 'record' });
  await s.runTo(29);
  const frontier = s.d.icount;
  assert.equal(s.d.live, true);
  assert.match(s.stops.at(-1)!.description, /live/);
  for (let k = 0; k < 3; k++) await s.do((d) => d.stepBack('line'));
  assert.equal(s.d.live, false);
  assert.match(s.stops.at(-1)!.description, new RegExp(`in history \\(icount \\d+ of ${frontier}\\)`));
  const st = await s.do((d) => d.continue());
  assert.equal(st.reason, 'exit');
  assert.equal(st.live, true);
  assert.equal((s.output.match(/start\n/g) ?? []).length, 1, 'output is never shown twice');
  s.d.gate.finish('exit', s.d.machine.exitCode!);
  const rep = await runProcess(process.execPath, [CLI, 'replay', '--rrfile', s.rrfile!, ELF], { stdin: '' });
  assert.equal(rep.stdout, s.output);
  assert.match(rep.stderr, /replay complete: icount \d+, \d+ events, final digest 0x[0-9a-f]{8} matches the recording/);
});

test('record mode: input typed while in history waits for the live edge, and the recording replays', async () => {
  const elf = path.join(EXAMPLES, 'echo.elf');
  const rrfile = path.join(tmp, 'echo.rr');
  const vm = launchVm({ program: elf, rrfile });
  let out = '';
  let wake: ((s: Stop) => void) | undefined;
  const d = new Debugger({ machine: vm.machine, travel: vm.travel, debugInfo: vm.debugInfo, mode: vm.mode }, { stopped: (st) => wake?.(st), output: (t) => { out += t; }, message: () => {} });
  const op = (f: () => void): Promise<Stop> => new Promise((r) => { wake = r; f(); });
  d.uartInput('hello\n');
  // Run a while (echo.elf polls the UART forever), then pause: pause always answers.
  const running = op(() => d.continue());
  await new Promise((r) => setTimeout(r, 300));
  d.pause();
  const p = await running;
  assert.equal(p.reason, 'pause');
  assert.match(out, /HELLO #041720b2\n/);
  await op(() => d.goto(Math.floor(d.icount / 2)));
  assert.equal(d.live, false);
  d.uartInput('quit\n'); // typed in the past: delivered at the frontier
  const st = await op(() => d.continue());
  assert.equal(st.reason, 'exit');
  assert.match(out, /HELLO #041720b2\nbye sum=041720b2/);
  vm.gate.finish('exit', vm.machine.exitCode!);
  const rep = await runProcess(process.execPath, [CLI, 'replay', '--rrfile', rrfile, elf], { stdin: '' });
  assert.equal(rep.code, 0, rep.stderr);
  assert.equal(rep.stdout, out);
});

test('record mode: a guest asleep in wfi until input arrives replays its past to the live edge, and waits there', async () => {
  const elf = path.join(EXAMPLES, 'uart-irq.elf');
  const vm = launchVm({ program: elf, rrfile: path.join(tmp, 'uart-irq.rr') });
  let out = '';
  let wake: ((s: Stop) => void) | undefined;
  const d = new Debugger({ machine: vm.machine, travel: vm.travel, debugInfo: vm.debugInfo, mode: vm.mode }, { stopped: (st) => wake?.(st), output: (t) => { out += t; }, message: () => {} });
  const op = (f: () => void): Promise<Stop> => new Promise((r) => { wake = r; f(); });
  // Live: the guest sleeps in wfi waiting for the UART; each line typed wakes it.
  const running = op(() => d.continue());
  await new Promise((r) => setTimeout(r, 200));
  d.uartInput('ab\n');
  await new Promise((r) => setTimeout(r, 200));
  d.uartInput('cd\n');
  await new Promise((r) => setTimeout(r, 200));
  d.pause();
  assert.equal((await running).reason, 'pause');
  const frontier = d.icount;
  assert.match(out, /irq ready/);
  // Back in the past, before the input: replaying to the frontier delivers it where it was
  // recorded (the guest never waits for it in history), then waits live again.
  await op(() => d.goto(Math.floor(frontier / 3)));
  assert.equal(d.live, false);
  const again = op(() => d.continue());
  for (let i = 0; i < 250 && !d.live; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(d.live, true, 'the replay reached the live edge');
  d.uartInput('q');
  const st = await again;
  assert.equal(st.reason, 'exit', st.description);
  assert.match(out, /bytes=7 lines=2 sum=[0-9a-f]{8} via interrupts/);
});

test('replay mode: always in history, of the recording\'s length', async () => {
  const rec = new Session({ rr: 'record' });
  await rec.do((d) => d.continue());
  rec.d.gate.finish('exit', rec.d.machine.exitCode!);
  const s = new Session({ rr: 'replay', rrfile: rec.rrfile });
  const st = await s.runTo(28);
  assert.match(st.description, new RegExp(`in history \\(icount ${s.d.icount} of ${rec.d.icount}\\)`));
  assert.match(s.d.editRefusal()!, /replay/);
  assert.throws(() => s.d.setRegister('a0', 1), DebugError);
  const end = await s.do((d) => d.continue());
  assert.equal(end.reason, 'exit');
  assert.equal(s.output, rec.output);
});

test('registers and memory: refused in history with the reason, allowed at the live edge and in rr none', async () => {
  const s = new Session({ rr: 'record' });
  await s.runTo(28);
  s.d.setRegister('a5', 77);
  assert.equal(s.eval('$a5'), '77');
  await s.do((d) => d.stepBack('line'));
  assert.throws(() => s.d.setRegister('a5', 1), (e: unknown) => e instanceof DebugError && /recorded past.*live edge/.test(e.message));
  assert.throws(() => s.d.writeMemory(0x80000000, Uint8Array.of(1)), /recorded past/);
  const none = new Session({ rr: 'none' });
  await none.runTo(28);
  assert.equal(none.d.live, true);
  none.d.writeMemory(Number(BigInt(none.eval('&g_total').split(' ')[0])), Uint8Array.of(9, 0, 0, 0));
  assert.equal(none.eval('g_total'), '9');
  assert.throws(() => none.d.stepBack(), /reverse execution needs a recording/);
});

test('record mode: a change at the live edge is recorded, and the replay makes it too', async () => {
  const s = new Session({ rr: 'record' });
  await s.runTo(31); // the loop is done; sum is printed next
  const sum = s.d.evaluateValue('&sum');
  const addr = new DataView(sum.bytes.buffer, sum.bytes.byteOffset).getUint32(0, true);
  s.d.writeMemory(addr, Uint8Array.of(0xd2, 0x04, 0, 0)); // 1234
  s.d.setRegister('s1', 0x5a5a); // a register main does not use: checked by the replay's digests
  assert.equal(s.local('sum'), '1234');
  const st = await s.do((d) => d.continue());
  assert.equal(st.reason, 'exit');
  assert.match(s.output, /sum=1234\n/);
  s.d.gate.finish('exit', s.d.machine.exitCode!);
  const dump = await runProcess(process.execPath, [CLI, 'dump', s.rrfile!]);
  assert.match(dump.stdout, /poke.*memory 0x[0-9a-f]+: 4 bytes/);
  assert.match(dump.stdout, /poke.*x9 = 0x5a5a/);
  const rep = await runProcess(process.execPath, [CLI, 'replay', '--rrfile', s.rrfile!, ELF], { stdin: '' });
  assert.equal(rep.stdout, s.output);
  assert.match(rep.stderr, /replay complete: .* matches the recording/);
  // Going back before the change and forward again replays it at the same icount.
  await s.do((d) => d.goto(10));
  const again = await s.do((d) => d.continue());
  assert.equal(again.reason, 'exit');
  assert.equal(s.d.icount, st.icount);
});

test('guest misbehaviour stops the session with a message: a trap loop', async () => {
  const s = new Session({ rr: 'none' });
  await s.runTo(28);
  // Point the trap vector and the pc at unmapped memory: every fetch faults, forever.
  s.d.setRegister('mtvec', 0x40);
  s.d.setRegister('pc', 0x40);
  const st = await s.do((d) => d.continue());
  assert.equal(st.reason, 'exception');
  assert.match(st.text!, /trap loop: instruction access fault .* at pc 0x40/);
});

test('an instruction breakpoint on a trap handler\'s first instruction: continue stops at each interrupt, reverseContinue at the one before', async () => {
  const s = new Session({ program: path.join(EXAMPLES, 'timer.elf') });
  // Past the guest's setup (mtvec set), then a breakpoint on the handler's entry.
  s.d.setBreakpoints('instruction', 'instruction', [{ pcs: [0x80000040], label: 'trap vector' }]);
  const hits: number[] = [];
  for (let i = 0; i < 3; i++) {
    const st = await s.do((d) => d.continue());
    assert.equal(st.reason, 'instruction breakpoint', st.text);
    assert.equal(s.d.pc >>> 0, 0x80000040);
    hits.push(s.d.icount);
  }
  assert.ok(hits[0] < hits[1] && hits[1] < hits[2], `hits ${hits}`);
  const back = await s.do((d) => d.reverseContinue());
  assert.equal(back.reason, 'instruction breakpoint', back.text);
  assert.equal(s.d.icount, hits[1]);
  assert.equal(s.d.pc >>> 0, 0x80000040, 'at the handler, the trap taken');
  assert.match(s.eval('$mcause'), /0x80000007|-2147483641/, 'a machine timer interrupt');
});

test('step back stops at a breakpoint on the way, as a step forwards does: the last hit inside a call stepped back over', async () => {
  for (const single of [false, true]) {
    const s = new Session();
    await s.runTo(28); // i = 0, after square(0)
    await s.runTo(28); // i = 1: square(1) ran from line 27
    s.d.singleStep = single;
    s.breakAt(13); // r = v * v, inside square()
    // From line 28 back over `int s = square(i)`: the last hit is square(1)'s line 13.
    const st = await s.do((d) => d.stepBack());
    assert.equal(st.reason, 'breakpoint', `${single ? 'one at a time' : 'fast'}: ${st.description}`);
    assert.equal(s.line(), 13);
    assert.equal(s.local('v'), '1');
    assert.ok(s.d.hits.some((h) => h.icount === st.icount && h.kind === 'breakpoint'), 'on the timeline\'s hits');
    // A condition that does not hold there: back over the call to line 27 itself.
    await s.do((d) => d.step('out'));
    await s.do((d) => d.step('next'));
    assert.equal(s.line(), 28);
    s.breakAt({ line: 13, condition: 'v == 3' });
    const st2 = await s.do((d) => d.stepBack());
    assert.equal(st2.reason, 'step');
    assert.equal(s.line(), 27);
    // A breakpoint where the step back ends reads as a step, as forwards.
    s.breakAt(27);
    await s.do((d) => d.step('next'));
    const st3 = await s.do((d) => d.stepBack());
    assert.equal(st3.reason, 'step');
    assert.equal(s.line(), 27);
  }
});

test('logpoints print and do not stop; hit counts', async () => {
  const s = new Session();
  s.breakAt({ line: 29, logMessage: 'i={i} sum={sum}' }, { line: 28, hitCondition: '3' });
  const st = await s.do((d) => d.continue());
  assert.equal(st.reason, 'breakpoint');
  assert.equal(s.local('i'), '2', 'the third hit of line 28');
  assert.equal(s.messages, 'i=0 sum=0\ni=1 sum=1\n');
});

test('monitor commands', async () => {
  const s = new Session({ rr: 'record' });
  await s.runTo(28);
  assert.deepEqual(JSON.parse(runMonitorCommand(s.d, 'query-replay')), { mode: 'record', filename: s.rrfile, icount: s.d.icount });
  assert.match(runMonitorCommand(s.d, 'savevm here'), /saved snapshot 'here'/);
  assert.match(runMonitorCommand(s.d, 'info snapshots'), /here\s+.*\s+\d+$/m);
  const at = s.d.icount;
  await s.do(() => runMonitorCommand(s.d, 'replay-seek 100'));
  assert.equal(s.d.icount, 100);
  await s.do(() => runMonitorCommand(s.d, 'loadvm here'));
  assert.equal(s.d.icount, at);
  assert.match(runMonitorCommand(s.d, 'loadvm nope'), /Error: Snapshot 'nope' does not exist/);
  assert.match(runMonitorCommand(s.d, 'replay-seek x'), /Error: .*needs an instruction count/);
});

test('launch attributes: every bad value is refused naming the attribute', () => {
  const bad: [DebugLaunchConfig, string, RegExp][] = [
    [{}, 'program', /"program" is missing/],
    [{ program: path.join(tmp, 'nope.elf') }, 'program', /cannot read .*no such file/],
    [{ program: path.join(FIXTURE, 'debugme.c') }, 'program', /"program": .*ELF/i],
    [{ program: ELF, rr: 'play' }, 'rr', /"rr" must be "none", "record" or "replay", got "play"/],
    [{ program: ELF, ramMiB: 0 }, 'ramMiB', /"ramMiB" must be an integer from 1 to 2048/],
    [{ program: ELF, icountShift: 1.5 }, 'icountShift', /"icountShift"/],
    [{ program: ELF, snapshotBudgetMiB: 'x' }, 'snapshotBudgetMiB', /"snapshotBudgetMiB"/],
    [{ program: ELF, stopOnEntry: 'yes' }, 'stopOnEntry', /"stopOnEntry" must be true or false/],
    [{ program: ELF, args: 'a b' }, 'args', /"args" must be an array of strings/],
    [{ program: ELF, semihostingRoot: tmp }, 'semihostingRoot', /needs "semihosting": true/],
    [{ program: ELF, rr: 'replay', rrfile: path.join(tmp, 'missing.rr') }, 'rrfile', /does not exist/],
    [{ program: ELF, rr: 'none', rrfile: path.join(tmp, 'x.rr') }, 'rrfile', /needs "rr": "record" or "replay"/],
  ];
  for (const [cfg, attr, msg] of bad) {
    assert.throws(() => launchVm(cfg), (e: unknown) => e instanceof LaunchError && e.attribute === attr && msg.test(e.message), `${JSON.stringify(cfg)} → ${attr}`);
  }
  // An existing recording is not overwritten without rrfileOverwrite; the default is beside the program.
  const prog = path.join(tmp, 'copy.elf');
  fs.copyFileSync(ELF, prog);
  const vm = launchVm({ program: prog });
  assert.equal(vm.mode, 'record');
  assert.equal(vm.rrfile, `${prog}.rr`);
  assert.throws(() => launchVm({ program: prog }), (e: unknown) => e instanceof LaunchError && e.attribute === 'rrfile' && /already exists; set "rrfileOverwrite": true/.test(e.message));
  assert.equal(launchVm({ program: prog, rrfileOverwrite: true }).mode, 'record');
  // A recording of another program is refused by replay.
  vm.gate.finish('quit', 130);
  assert.throws(() => launchVm({ program: path.join(EXAMPLES, 'hello.elf'), rr: 'replay', rrfile: `${prog}.rr` }), (e: unknown) => e instanceof LaunchError && e.attribute === 'rrfile' && /another program/.test(e.message));
});
