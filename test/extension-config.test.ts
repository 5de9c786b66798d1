// The extension's parts that need no VS Code: package.json's debugger contribution against the
// LaunchArguments the adapter accepts (adapter/protocol.ts), launch defaults and checks, icount
// parsing, UART text for the terminal, the examples workspace's launch.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { completeLaunch, configForProgram, defaultRrfile, parseIcount, statusText } from '../src/config';
import { toTerminal } from '../src/terminal-text';

const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const dbg = pkg.contributes.debuggers[0];

/** Property names and optionality of an interface in adapter/protocol.ts. */
function interfaceProps(name: string): Map<string, { optional: boolean; type: string }> {
  const file = path.join(ROOT, 'adapter/protocol.ts');
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out = new Map<string, { optional: boolean; type: string }>();
  sf.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === name) {
      for (const m of n.members) {
        if (ts.isPropertySignature(m) && m.type) out.set(m.name.getText(sf), { optional: !!m.questionToken, type: m.type.getText(sf) });
      }
    }
  });
  assert.ok(out.size > 0, `interface ${name} found`);
  return out;
}

const jsonType = (t: string) => t === 'string' ? 'string' : t === 'number' ? 'integer' : t === 'boolean' ? 'boolean'
  : t.endsWith('[]') ? 'array' : /^'.*'( \| '.*')*$/.test(t) ? 'string' : '?';

for (const [request, iface] of [['launch', 'LaunchArguments'], ['attach', 'AttachArguments']] as const) {
  test(`package.json describes every ${iface} attribute (${request})`, () => {
    const schema = dbg.configurationAttributes[request];
    const props = interfaceProps(iface);
    assert.deepEqual(Object.keys(schema.properties).sort(), [...props.keys()].sort());
    for (const [name, p] of props) {
      const s = schema.properties[name];
      assert.ok(s.description?.length > 20, `${name} has a description`);
      assert.equal(s.type, jsonType(p.type), `${name}: ${p.type}`);
      if (p.type.includes("'")) assert.deepEqual(s.enum, p.type.split('|').map((x) => x.trim().slice(1, -1)), `${name} enum`);
      if (s.enum) assert.equal(s.enumDescriptions?.length, s.enum.length);
      assert.equal((schema.required ?? []).includes(name), !p.optional, `${name} required iff not optional`);
    }
  });
}

test('debugger contribution: type, snippets, initial configuration, commands, view', () => {
  assert.equal(dbg.type, 'rvreplay');
  assert.deepEqual(dbg.configurationSnippets.map((s: { label: string }) => s.label).slice(0, 3),
    ['rvreplay: Record and debug a RISC-V ELF', 'rvreplay: Replay a recording', 'rvreplay: Replay from a snapshot']);
  for (const s of dbg.configurationSnippets) assert.equal(s.body.type, 'rvreplay');
  assert.equal(dbg.initialConfigurations[0].program, '${command:rvreplay.pickProgram}');
  const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
  for (const c of ['rvreplay.takeSnapshot', 'rvreplay.gotoIcount', 'rvreplay.reverseStepOut', 'rvreplay.openTimeline']) assert.ok(commands.includes(c), c);
  assert.equal(pkg.contributes.views.debug[0].id, 'rvreplay.timeline');
  assert.equal(pkg.contributes.views.debug[0].type, 'webview');
  assert.ok(pkg.contributes.breakpoints.some((b: { language: string }) => b.language === 'c'), 'breakpoints allowed in C files');
  // Every command the extension registers is contributed, and vice versa.
  const src = fs.readFileSync(path.join(ROOT, 'src/extension.ts'), 'utf8');
  const registered = [...src.matchAll(/registerCommand\('([\w.]+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(registered, [...commands].sort());
});

test('examples/.vscode/launch.json: valid configurations of existing programs', () => {
  const text = fs.readFileSync(path.join(ROOT, 'examples/.vscode/launch.json'), 'utf8');
  const launch = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
  assert.ok(launch.configurations.length >= 3);
  const folder = path.join(ROOT, 'examples');
  for (const c of launch.configurations) {
    assert.equal(c.type, 'rvreplay', c.name);
    const sub = JSON.parse(JSON.stringify(c).replaceAll('${workspaceFolder}', folder.replaceAll('\\', '/')));
    if (sub.rr === 'replay') continue; // needs a recording made first
    const r = completeLaunch(sub, folder, fs.existsSync);
    assert.ok('config' in r, `${c.name}: ${'error' in r ? r.error : ''}`);
  }
});

test('completeLaunch: defaults, relative paths and clear errors', () => {
  const files = new Set(['/ws/hello.elf', '/ws/old.rr']);
  const exists = (f: string) => files.has(f);
  const ok = completeLaunch({ type: 'rvreplay', request: 'launch', program: 'hello.elf' }, '/ws', exists);
  assert.ok('config' in ok);
  assert.equal(ok.config.program, '/ws/hello.elf');
  assert.equal(ok.config.rr, 'record');
  assert.equal(ok.config.rrfile, '/ws/hello.elf.rr', 'the adapter\'s default, made explicit');
  assert.equal(ok.config.rrfileOverwrite, undefined, 'an existing recording is not replaced unless asked');
  const named = completeLaunch({ program: '/ws/hello.elf', rrfile: 'mine.rr' }, '/ws', exists);
  assert.ok('config' in named);
  assert.equal(named.config.rrfile, '/ws/mine.rr');
  assert.equal(named.config.rrfileOverwrite, undefined, 'a named recording is never replaced unless asked');
  const err = (c: Record<string, unknown>) => { const r = completeLaunch(c, '/ws', exists); return 'error' in r ? r.error : ''; };
  assert.match(err({}), /no "program"/);
  assert.match(err({ program: 'nope.elf' }), /Program not found: \/ws\/nope\.elf/);
  assert.match(err({ program: 'hello.elf', rr: 'replay' }), /Recording not found: \/ws\/hello\.elf\.rr/);
  assert.equal(err({ program: 'hello.elf', rr: 'replay', rrfile: 'old.rr' }), '');
  assert.match(err({ program: 'hello.elf', rr: 'live' }), /"rr" must be/);
  assert.match(err({ program: 'hello.elf', ramMiB: 1.5 }), /"ramMiB" must be an integer/);
  assert.match(err({ program: 'hello.elf', args: [1] }), /"args"/);
});

test('configForProgram and defaultRrfile', () => {
  assert.deepEqual(configForProgram('/ws/sub/a.elf', '/ws'),
    { type: 'rvreplay', request: 'launch', name: 'Record and debug sub/a.elf', program: '/ws/sub/a.elf', rr: 'record', rrfileOverwrite: true, stopOnEntry: false });
  assert.equal(configForProgram('/elsewhere/a.elf', '/ws').name, 'Record and debug a.elf');
  assert.equal(defaultRrfile('/x/prog.elf'), '/x/prog.elf.rr');
});

test('parseIcount accepts what people type', () => {
  assert.equal(parseIcount('12345'), 12345);
  assert.equal(parseIcount(' 1_234,567 '), 1234567);
  assert.equal(parseIcount('0x3039'), 12345);
  assert.equal(parseIcount('1.5M'), 1_500_000);
  assert.equal(parseIcount('2k'), 2000);
  for (const bad of ['', '-1', 'abc', '1.5', '1e400', '0x']) assert.equal(parseIcount(bad), undefined, bad);
});

test('statusText and toTerminal', () => {
  assert.equal(statusText('play', 1234567, false), 'rvreplay replay · icount 1,234,567');
  assert.equal(statusText('record', 5, true), 'rvreplay record · running');
  assert.deepEqual(toTerminal('a\nb\r\nc\r', false), { out: 'a\r\nb\r\nc\r', lastCR: true });
  assert.deepEqual(toTerminal('\nd', true), { out: '\nd', lastCR: false });
});
