import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import type { SourceHost } from '../engine/types';
import { LeanLibs } from './lean-libs';

// Builds and caches one ts.Program per project (nearest tsconfig/jsconfig, or an inferred
// project per folder). Source files are cached by SourceHost.version and the previous program
// is handed back to TypeScript as oldProgram, so a keystroke re-parses one file and the
// checker's work stays proportional to the sinks actually queried.

const fallbackPackages = ['piscina', 'tinypool', 'workerpool', 'comlink', 'threads', 'jest-worker', 'electron'];

/** Fallback typings ship in server/typings (sources, run through tsx) or dist/typings (bundle). */
export function typingsDir(): string | undefined {
  for (const dir of [path.join(__dirname, 'typings'), path.resolve(__dirname, '..', '..', 'typings')]) {
    if (fs.existsSync(path.join(dir, 'node.d.ts'))) return dir;
  }
  return undefined;
}

/**
 * Node's real typings shipped with sendcheck (dist/typings/@types/node in the bundle, the
 * @types/node dependency when run from sources) and the undici-types folder they import.
 */
function bundledNodeTypes(): { index: string; undici?: string } | undefined {
  const typings = typingsDir();
  const shipped = typings && path.join(typings, '@types', 'node', 'index.d.ts');
  if (shipped && fs.existsSync(shipped)) {
    const undici = path.join(typings!, 'undici-types', 'index.d.ts');
    return { index: shipped, undici: fs.existsSync(undici) ? undici : undefined };
  }
  try {
    const index = path.join(path.dirname(require.resolve('@types/node/package.json')), 'index.d.ts');
    return fs.existsSync(index) ? { index } : undefined;
  } catch {
    return undefined;
  }
}

export interface Project {
  key: string;
  configFile?: string;
  options: ts.CompilerOptions;
  /** Typing files added as roots: fallbacks for what the project lacks, and @types/node for inferred projects. */
  fallbacks: string[];
  /** True when the tsconfig names the DOM library explicitly. */
  domLib: boolean;
  program?: ts.Program;
  rootKey?: string;
  /** The optional libraries its programs hold so far (lean-libs.ts). */
  lean?: LeanLibs;
}

const inferredOptions: ts.CompilerOptions = {
  allowJs: true,
  checkJs: true,
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  // Bundler resolution reads package `exports` like Node but forgives the CJS/ESM typing
  // mismatches many packages ship (e.g. a default-exported class seen from an .mjs file).
  module: ts.ModuleKind.Preserve,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowSyntheticDefaultImports: true,
  resolveJsonModule: true,
  esModuleInterop: true,
  jsx: ts.JsxEmit.Preserve,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
};

function findUp(start: string, names: string[], exists: (f: string) => boolean): string | undefined {
  let dir = start;
  for (let i = 0; i < 64; i++) {
    for (const n of names) {
      const f = path.join(dir, n);
      if (exists(f)) return f;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

// The engine reads sendcheck's own files (TypeScript's lib files, the fallback typings) directly;
// everything else goes through the SourceHost, which keeps reads inside the workspace.
// Looked up once: the shipped typings do not move while sendcheck runs.
const shippedNodeTypes = bundledNodeTypes();
const ownDirs = [path.dirname(ts.getDefaultLibFilePath({})), typingsDir(), shippedNodeTypes && path.dirname(shippedNodeTypes.index)].filter((d): d is string => !!d);
const isOwnFile = (f: string) => ownDirs.some((d) => f.startsWith(d + path.sep));

type FileSystemEntries = { files: readonly string[]; directories: readonly string[] };
// TypeScript's own glob matcher for tsconfig `include`/`exclude`; internal but exported by the
// pinned 6.0.3 bundle. Listing goes through the host, so a glob cannot reach outside the workspace.
const matchFiles = (ts as unknown as {
  matchFiles?: (
    path: string, extensions: readonly string[] | undefined, excludes: readonly string[] | undefined, includes: readonly string[] | undefined,
    useCaseSensitiveFileNames: boolean, currentDirectory: string, depth: number | undefined,
    getFileSystemEntries: (path: string) => FileSystemEntries, realpath: (path: string) => string,
  ) => string[];
}).matchFiles;

export class ProjectHost {
  /** Where a broken tsconfig is reported (once per config version). */
  log?: (message: string) => void;
  private projects = new Map<string, Project>();
  private sourceCache = new Map<string, { version: string; sf: ts.SourceFile }>();

  constructor(private host: SourceHost) {}

  setHost(host: SourceHost): void {
    this.host = host;
  }

  forget(files: string[]): void {
    for (const f of files) this.sourceCache.delete(path.resolve(f));
  }

  private fileExists = (f: string): boolean => (isOwnFile(f) ? ts.sys.fileExists(f) : this.host.fileExists(f));
  private readFile = (f: string): string | undefined => (isOwnFile(f) ? ts.sys.readFile(f) : this.host.readFile(f));
  // A host that cannot answer folder questions (an in-memory one) gets none asked: TypeScript then
  // assumes folders exist and probes files, which the host does answer. Never ts.sys for workspace paths.
  private directoryExists = (d: string): boolean =>
    isOwnFile(d + path.sep + 'x') || ownDirs.includes(d) ? ts.sys.directoryExists(d) : (this.host.directoryExists?.(d) ?? true);
  private getDirectories = (d: string): string[] => this.host.listDirectory?.(d).directories ?? [];
  private readDirectory = (root: string, extensions?: readonly string[], excludes?: readonly string[], includes?: readonly string[], depth?: number): string[] => {
    const list = this.host.listDirectory?.bind(this.host);
    if (!matchFiles || !list) return ts.sys.readDirectory(root, extensions, excludes, includes, depth);
    return matchFiles(root, extensions, excludes, includes, ts.sys.useCaseSensitiveFileNames, ts.sys.getCurrentDirectory(), depth, list, (p) => p);
  };
  private parseConfigHost: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: this.readDirectory,
    fileExists: this.fileExists,
    readFile: this.readFile,
  };

  /** Workspace files are versioned by the host; sendcheck's own files never change while it runs. */
  private versionOf(abs: string): string {
    if (isOwnFile(abs)) return 'own';
    return this.host.fileExists(abs) ? this.host.version(abs) : 'missing';
  }

  private packageInstalled(fromDir: string, pkg: string): boolean {
    return findUp(fromDir, [path.join('node_modules', pkg, 'package.json')], this.fileExists) !== undefined;
  }

  private parsedConfigs = new Map<string, { options: ts.CompilerOptions; fileNames: Set<string>; domLib: boolean } | undefined>();

  private parseConfig(configFile: string) {
    // Keyed by the config's mtime so an edited tsconfig is read again.
    const key = `${configFile}\0${safeMtime(configFile)}`;
    if (this.parsedConfigs.has(key)) return this.parsedConfigs.get(key);
    let result: { options: ts.CompilerOptions; fileNames: Set<string>; domLib: boolean } | undefined;
    try {
      const read = ts.readConfigFile(configFile, this.readFile);
      if (read.error) {
        const text = ts.flattenDiagnosticMessageText(read.error.messageText, ' ');
        this.log?.(`sendcheck: ${configFile} cannot be read (${text}); using inferred options for its files`);
      } else {
        const parsed = ts.parseJsonConfigFileContent(read.config, this.parseConfigHost, path.dirname(configFile), undefined, configFile);
        const options = { ...parsed.options };
        if (path.basename(configFile) === 'jsconfig.json' && options.allowJs === undefined) options.allowJs = true;
        result = { options, fileNames: new Set(parsed.fileNames.map((f) => path.resolve(f))), domLib: (options.lib ?? []).some((l) => /lib\.dom\./i.test(l)) };
      }
    } catch (e) {
      this.log?.(`sendcheck: ${configFile} cannot be parsed (${(e as Error)?.message ?? e}); using inferred options for its files`);
      result = undefined;
    }
    for (const k of this.parsedConfigs.keys()) if (k.startsWith(`${configFile}\0`)) this.parsedConfigs.delete(k);
    this.parsedConfigs.set(key, result);
    return result;
  }

  /**
   * The project a file belongs to: the nearest tsconfig/jsconfig that includes it (as tsserver
   * decides), else an inferred project for its folder. Never throws: a broken tsconfig falls
   * back to inferred options.
   */
  projectFor(file: string): Project {
    const dir = path.dirname(file);
    const configFile = findUp(dir, ['tsconfig.json', 'jsconfig.json'], this.fileExists);
    const parsed = configFile ? this.parseConfig(configFile) : undefined;
    const owns = parsed !== undefined && parsed.fileNames.has(path.resolve(file));
    const key = owns ? `${configFile}\0${safeMtime(configFile!)}` : `inferred:${dir}`;
    let project = this.projects.get(key);
    if (project) return project;
    let options: ts.CompilerOptions = owns ? { ...parsed!.options } : { ...inferredOptions };
    const domLib = owns ? parsed!.domLib : false;
    // We only ask the checker for types; nothing is emitted and no file-wide diagnostics are computed.
    if (!owns) options.types = [];
    options = { ...options, noEmit: true, skipLibCheck: true, allowJs: options.allowJs ?? true, checkJs: true, composite: false, incremental: false, declaration: false, tsBuildInfoFile: undefined, outDir: undefined, noLib: false };
    if (options.strictNullChecks === undefined && options.strict === undefined) options.strictNullChecks = true;
    const fallbacks: string[] = [];
    const typings = typingsDir();
    const base = owns && configFile ? path.dirname(configFile) : dir;
    const nodeTypes = findUp(base, [path.join('node_modules', '@types', 'node', 'index.d.ts')], this.fileExists);
    // An inferred project names Node's typings explicitly: automatic @types inclusion depends on the process's cwd.
    if (nodeTypes && !owns) fallbacks.push(nodeTypes);
    // Extension messaging is a global API: @types/chrome when the project has it, else a small fallback.
    const chromeTypes = findUp(base, [path.join('node_modules', '@types', 'chrome', 'index.d.ts')], this.fileExists);
    if (chromeTypes && !owns) fallbacks.push(chromeTypes);
    if (typings) {
      if (!chromeTypes) fallbacks.push(path.join(typings, 'chrome.d.ts'));
      if (!nodeTypes) {
        if (shippedNodeTypes) {
          fallbacks.push(shippedNodeTypes.index);
          // The shipped copy sits outside any node_modules: point its one bare import at its folder.
          if (shippedNodeTypes.undici) options.paths = { ...options.paths, 'undici-types': [shippedNodeTypes.undici] };
        } else fallbacks.push(path.join(typings, 'node.d.ts'));
        // Modules newer than the shipped @types/node (node:sqlite), declared by hand.
        fallbacks.push(path.join(typings, 'node-newer.d.ts'));
      }
      for (const p of fallbackPackages) if (!this.packageInstalled(dir, p) && fs.existsSync(path.join(typings, `${p}.d.ts`))) fallbacks.push(path.join(typings, `${p}.d.ts`));
    }
    project = { key, configFile: owns ? configFile : undefined, options, fallbacks, domLib };
    // An edited tsconfig makes a new key: the project (and program) of its previous version goes.
    if (project.configFile) for (const k of this.projects.keys()) if (k.startsWith(`${project.configFile}\0`)) this.projects.delete(k);
    this.projects.set(key, project);
    return project;
  }

  private getSourceFile(fileName: string, languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions): ts.SourceFile | undefined {
    const abs = path.resolve(fileName);
    const version = this.versionOf(abs);
    const hit = this.sourceCache.get(abs);
    if (hit && hit.version === version) return hit.sf;
    const text = this.readFile(abs);
    if (text === undefined) return undefined;
    // No parent pass here: the binder sets every node's parent, and the checker binds each file
    // before any sink is looked for. JSDoc in .ts files carries no types, so it is not parsed
    // (most of lib.dom.d.ts is comments); .js files keep theirs (JSDoc types matter there).
    const options = typeof languageVersion === 'object' ? languageVersion : { languageVersion };
    const sf = ts.createSourceFile(fileName, text, { ...options, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeInfo }, false);
    (sf as { version?: string }).version = version;
    this.sourceCache.set(abs, { version, sf });
    return sf;
  }

  /** A program holding `files` (and what they import), reusing the project's previous program. */
  programFor(project: Project, files: string[], extraRoots: string[] = []): ts.Program {
    const roots = [...new Set([...files.map((f) => path.resolve(f)), ...extraRoots.map((f) => path.resolve(f)), ...project.fallbacks])].sort();
    const rootKey = roots.join('\0') + '\0' + roots.map((r) => this.host.version(r)).join('\0');
    if (project.program && project.rootKey === rootKey && !this.stale(project.program)) return project.program;
    const compilerHost = ts.createCompilerHost(project.options, true);
    compilerHost.getSourceFile = (f, v) => this.getSourceFile(f, v);
    compilerHost.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeInfo;
    compilerHost.fileExists = this.fileExists;
    compilerHost.readFile = this.readFile;
    compilerHost.directoryExists = this.directoryExists;
    compilerHost.getDirectories = this.getDirectories;
    compilerHost.realpath = (p) => p;
    compilerHost.writeFile = () => {};
    const lean = (project.lean ??= new LeanLibs(project.options, project.fallbacks));
    let program: ts.Program;
    let oldProgram = project.program;
    do {
      const shape = lean.shape(roots);
      program = ts.createProgram({ rootNames: shape.roots, options: shape.options, host: compilerHost, oldProgram });
      oldProgram = program;
    } while (lean.widen(program));
    project.program = program;
    project.rootKey = rootKey;
    return program;
  }

  /** A program is stale when any non-library file it holds changed since it was built. */
  private stale(program: ts.Program): boolean {
    for (const sf of program.getSourceFiles()) {
      if (program.isSourceFileDefaultLibrary(sf) || sf.fileName.includes('/node_modules/')) continue;
      const hit = this.sourceCache.get(path.resolve(sf.fileName));
      if (!hit || hit.sf !== sf) return true;
      const abs = path.resolve(sf.fileName);
      const version = this.versionOf(abs);
      if (version !== hit.version) return true;
    }
    return false;
  }
}

function safeMtime(f: string): string {
  try {
    return String(fs.statSync(f).mtimeMs);
  } catch {
    return 'missing';
  }
}
