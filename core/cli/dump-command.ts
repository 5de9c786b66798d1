// `rvreplay dump FILE`: the rrfile as text, one line per event (like QEMU's replay-dump.py).
import { parseArgs, UsageError } from './args';
import { RrReader } from '../replay/rrfile';
import { EVENT_NAMES, describePayload } from '../replay/events';

export const DUMP_USAGE = `usage: rvreplay dump FILE
Prints the recording's header, then one line per event: icount, kind, payload, state digest.`;

export function dumpCommand(argv: string[]): number {
  const args = parseArgs(argv, {});
  const [file] = args.positionals;
  if (file === undefined || args.positionals.length > 1) throw new UsageError('dump needs exactly one FILE');
  const r = RrReader.open(file);
  const c = r.config;
  const out: string[] = [
    `# ${file}: rrfile format 1, recorded ${c.recordedAt} by ${c.recorder}`,
    `# program ${c.elf.name} (${c.elf.size} bytes, sha256 ${c.elf.sha256}), RAM ${c.ramMiB} MiB, icount shift ${c.icountShift}`,
    `# devices ${c.devices.join(', ')}${c.semihosting ? `; semihosting, command line ${JSON.stringify(c.semihosting.cmdline)}` : ''}; digest every ${c.digestInterval} instructions`,
    `#      icount  event      payload`,
  ];
  let n = 0;
  for (let f = r.next(); f !== undefined; f = r.next()) {
    out.push(`${String(f.icount).padStart(13)}  ${EVENT_NAMES[f.kind].padEnd(9)}  ${describePayload(f.kind, f.payload)}  [digest ${f.digest.toString(16).padStart(8, '0')}]`);
    n++;
    if (out.length >= 4096) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
  }
  out.push(`# ${n} events`);
  process.stdout.write(out.join('\n') + '\n');
  if (r.damage !== undefined) {
    process.stderr.write(`rvreplay: ${r.damage.message}\n`);
    return 125;
  }
  return 0;
}
