// The ISA test guests (test/isa/*.elf): rvreplay must print exactly what QEMU 7.2 printed
// (the committed .expected goldens), except for the documented differences in
// test/isa/known-differences.json. In CI, QEMU itself is also run to confirm the goldens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runOurs, runQemu } from './helpers/run';
import { needTools, QEMU } from './helpers/tools';
import { diffLines, type Hunk } from './helpers/line-diff';

const ISA = path.join(ROOT, 'test', 'isa');
interface Known { why: string; qemu: string[]; ours: string[]; count?: number }
const known = JSON.parse(fs.readFileSync(path.join(ISA, 'known-differences.json'), 'utf8')) as Record<string, Known[] | string>;
const tests = fs.readdirSync(ISA).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)).sort();

const lines = (s: string): string[] => s.split('\n');
const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

test('there are ISA test programs', () => {
  assert.ok(tests.length >= 8, `found ${tests.join(', ')}`);
});

for (const name of tests) {
  test(`isa/${name}: same output as QEMU 7.2 but for documented differences`, async () => {
    const expected = fs.readFileSync(path.join(ISA, `${name}.expected`), 'latin1');
    const expectedCode = Number(fs.readFileSync(path.join(ISA, `${name}.exitcode`), 'utf8').trim());
    const r = await runOurs(path.join(ISA, `${name}.elf`), [], { timeoutMs: 30_000 });
    assert.equal(r.code, expectedCode, `exit status (stderr: ${r.stderr})`);
    const allowed = (known[name] as Known[] | undefined) ?? [];
    const uses = allowed.map(() => 0);
    const unexplained: Hunk[] = [];
    for (const h of diffLines(lines(expected), lines(r.stdout))) {
      const k = allowed.findIndex((a) => same(a.qemu, h.removed) && same(a.ours, h.added));
      if (k < 0) unexplained.push(h);
      else uses[k]++;
    }
    assert.deepEqual(unexplained, [], 'differences from QEMU not listed in test/isa/known-differences.json');
    allowed.forEach((a, k) => assert.equal(uses[k], a.count ?? 1, `known difference used ${uses[k]} times, listed for ${a.count ?? 1}: ${a.why}`));
  });
}

test('the goldens are what this machine\'s QEMU prints', async (t) => {
  if (!needTools(t, QEMU)) return;
  // QEMU reports its own version in marchid/mimpid; another 7.2.x build may differ there only.
  const norm = (s: string): string => s.replace(/^(marchid|mimpid)=[0-9a-f]{8}$/gm, '$1=V');
  for (const name of tests) {
    const expected = fs.readFileSync(path.join(ISA, `${name}.expected`), 'latin1');
    const r = await runQemu(path.join(ISA, `${name}.elf`), [], { timeoutMs: 30_000 });
    assert.equal(norm(r.stdout), norm(expected), `${name}: QEMU's output differs from the golden`);
  }
});
