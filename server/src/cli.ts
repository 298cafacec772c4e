import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyPreferredFixes, createChecker } from './check';
import { resolveConfig, type SendcheckConfig } from './engine/config';
import { collectFiles, DiskHost } from './engine/files';
import type { Finding } from './engine/types';
import { formatJson, formatText, toSarif } from './formats';

// The `sendcheck` command: the same engine as the language server, for terminals and CI.
// Exit codes: 0 no error or warning, 1 some, 2 usage or internal error.

declare const SENDCHECK_VERSION: string | undefined;
const version = typeof SENDCHECK_VERSION === 'string' ? SENDCHECK_VERSION : '0.0.0-dev';

const usage = `Usage: sendcheck [options] <files or folders...>

Finds values that cannot cross a worker or process boundary (structured clone,
JSON IPC, pickle) in JavaScript, TypeScript and Python files.

Options:
  --format <text|json|sarif>  output format (default: text)
  --fix                       apply each finding's preferred quick fix, then re-check
  --config <file>             JSON settings file (the same keys as the sendcheck.* settings)
  --js-target <auto|node20|node22|browser>
  --start-method <auto|spawn|forkserver|fork>
  --rule <id>=<off|hint|info|warning|error>   override a rule's severity (repeatable)
  --exclude <glob>            skip matching paths (repeatable)
  --output <file>             write the report to a file instead of stdout
  --quiet                     print only errors
  --lsp --stdio               run as a language server over stdio
  -v, --version               print the version
  -h, --help                  print this help
`;

interface Options {
  format: 'text' | 'json' | 'sarif';
  fix: boolean;
  quiet: boolean;
  output?: string;
  paths: string[];
  settings: Record<string, unknown>;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const opts: Options = { format: 'text', fix: false, quiet: false, paths: [], settings: {} };
  const rules: Record<string, string> = {};
  const exclude: string[] = [];
  let configFile: string | undefined;
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = () => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case '--format': {
        const f = take();
        if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`unknown format "${f}" (text, json or sarif)`);
        opts.format = f;
        break;
      }
      case '--fix':
        opts.fix = true;
        break;
      case '--quiet':
        opts.quiet = true;
        break;
      case '--config':
        configFile = take();
        break;
      case '--output':
      case '-o':
        opts.output = take();
        break;
      case '--js-target':
        opts.settings.js = { target: take() };
        break;
      case '--start-method':
        opts.settings.python = { ...((opts.settings.python as object) ?? {}), startMethod: take() };
        break;
      case '--rule': {
        const r = take();
        const eq = r.indexOf('=');
        if (eq <= 0) throw new UsageError(`--rule takes <id>=<severity>, got "${r}"`);
        rules[r.slice(0, eq)] = r.slice(eq + 1);
        break;
      }
      case '--exclude':
        exclude.push(take());
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        opts.paths.push(a);
    }
  }
  if (configFile) {
    let fromFile: unknown;
    try {
      fromFile = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read --config ${configFile}: ${(e as Error).message}`);
    }
    const inner = (fromFile as { sendcheck?: unknown })?.sendcheck ?? fromFile;
    opts.settings = { ...(inner as object), ...opts.settings };
  }
  if (Object.keys(rules).length) opts.settings.rules = { ...((opts.settings.rules as object) ?? {}), ...rules };
  if (exclude.length) opts.settings.exclude = [...(((opts.settings.exclude as string[]) ?? [])), ...exclude];
  return opts;
}

export async function runCli(argv: string[], io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  let opts: Options;
  try {
    if (argv.includes('-h') || argv.includes('--help')) {
      io.stdout.write(usage);
      return 0;
    }
    if (argv.includes('-v') || argv.includes('--version')) {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    opts = parseArgs(argv);
    if (opts.paths.length === 0) throw new UsageError('no files or folders given');
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`sendcheck: ${e.message}\n\n${usage}`);
      return 2;
    }
    throw e;
  }

  const { config, problems } = resolveConfig(opts.settings);
  if (problems.length) {
    for (const p of problems) io.stderr.write(`sendcheck: setting ${p.key}: ${p.message}\n`);
    return 2;
  }
  const missing = opts.paths.filter((p) => !fs.existsSync(path.resolve(io.cwd, p)));
  if (missing.length) {
    io.stderr.write(`sendcheck: no such file or folder: ${missing.join(', ')}\n`);
    return 2;
  }

  const files = collectFiles(
    opts.paths.map((p) => path.resolve(io.cwd, p)),
    { exclude: config.exclude, maxFileSize: config.maxFileSize, onSkip: (f, why) => io.stderr.write(`sendcheck: skipped ${path.relative(io.cwd, f)}: ${why}\n`) },
  );
  const checker = createChecker();
  await checker.init();
  // The checker may read the working folder and what was named on the command line, nothing else.
  const host = new DiskHost({ roots: [io.cwd, ...opts.paths.map((p) => path.resolve(io.cwd, p))].map((p) => (fs.statSync(p).isDirectory() ? p : path.dirname(p))) });
  const log = (m: string) => io.stderr.write(`${m}\n`);
  let findings = checker.check(files, host, config, { log });

  if (opts.fix) findings = fixAll(findings, files, host, config, checker, io.stderr, log);

  const shown = opts.quiet ? findings.filter((f) => f.severity === 'error') : findings;
  let report: string;
  if (opts.format === 'json') report = formatJson(shown, io.cwd);
  else if (opts.format === 'sarif') report = JSON.stringify(toSarif(shown, checker.rules, io.cwd, version), null, 2) + '\n';
  else report = formatText(shown, io.cwd);
  if (opts.output) fs.writeFileSync(path.resolve(io.cwd, opts.output), report);
  else io.stdout.write(report);
  return findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}

const maxFixRounds = 5;

/** Applies preferred fixes, re-checking after each round, until nothing changes. */
function fixAll(
  findings: Finding[],
  files: string[],
  host: DiskHost,
  config: SendcheckConfig,
  checker: ReturnType<typeof createChecker>,
  stderr: NodeJS.WritableStream,
  log: (m: string) => void,
): Finding[] {
  let changedFiles = 0;
  for (let round = 0; round < maxFixRounds; round++) {
    const changes = applyPreferredFixes(findings, host);
    if (changes.size === 0) break;
    for (const [file, text] of changes) {
      fs.writeFileSync(file, text);
      host.invalidate(file);
      changedFiles++;
    }
    checker.forget([...changes.keys()]);
    findings = checker.check(files, host, config, { log });
  }
  if (changedFiles) stderr.write(`sendcheck: fixed ${changedFiles} file${changedFiles === 1 ? '' : 's'}\n`);
  return findings;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--lsp')) {
    // The language server module wires itself to stdio or IPC on import.
    require('./server');
    return;
  }
  try {
    process.exitCode = await runCli(argv);
  } catch (e) {
    process.stderr.write(`sendcheck: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main();
