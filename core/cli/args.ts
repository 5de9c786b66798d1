// A small, strict command-line parser: every option is declared, unknown ones are errors that
// name the option, and values are checked where they are read.
import { UserError } from '../errors';

/** A mistake on the command line: reported with the usage text (unless showUsage is false) and exit status 2. */
export class UsageError extends UserError {
  constructor(message: string, readonly showUsage = true) {
    super(message);
  }
}

export interface OptionSpec {
  /** Takes a value (`--ram 64` or `--ram=64`); otherwise a flag. */
  value?: boolean;
  help: string;
}

export interface ParsedArgs {
  options: Map<string, string | true>;
  positionals: string[];
}

/** Parses `argv` against `spec`. Options end at the first positional after which everything is positional (the program's own args). */
export function parseArgs(argv: string[], spec: Record<string, OptionSpec>, stopAtFirstPositional = true): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--') && !(stopAtFirstPositional && positionals.length > 0)) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const s = spec[name];
      if (s === undefined) throw new UsageError(`unknown option --${name}`);
      if (s.value) {
        let v: string | undefined = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option --${name} needs a value`);
        options.set(name, v);
      } else {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        options.set(name, true);
      }
      continue;
    }
    positionals.push(a);
  }
  return { options, positionals };
}

/** Reads an integer option in [min, max], or returns `def` when absent. */
export function intOption(args: ParsedArgs, name: string, def: number, min: number, max: number): number {
  const v = args.options.get(name);
  if (v === undefined) return def;
  if (v === true || !/^(0x[0-9a-f]+|\d+)$/i.test(v)) throw new UsageError(`--${name} must be an integer, got '${v === true ? '' : v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${v}`);
  return n;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

export function helpText(spec: Record<string, OptionSpec>): string {
  return Object.entries(spec)
    .map(([name, s]) => `  --${name}${s.value ? ' <value>' : ''}`.padEnd(30) + s.help)
    .join('\n');
}
