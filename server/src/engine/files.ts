import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { SourceHost } from './types';

export const jsExtensions = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'];
export const pythonExtensions = ['.py', '.pyw'];
/** Jupyter notebooks: their code cells are checked as one Python module (engine/notebook.ts). */
export const notebookExtensions = ['.ipynb'];
const checkedExtensions = new Set([...jsExtensions, ...pythonExtensions, ...notebookExtensions]);
const alwaysSkippedDirs = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache']);

export function isCheckable(file: string): boolean {
  return checkedExtensions.has(path.extname(file).toLowerCase()) && !file.endsWith('.d.ts') && !/\.d\.[mc]ts$/.test(file);
}

export interface WalkOptions {
  /** Globs relative to the folder walked (or to the file's folder, for a file given directly). */
  exclude?: readonly string[];
  /** Asked about every folder and file on the way, with absolute paths (per-folder settings). */
  isExcluded?: (file: string, isDir: boolean) => boolean;
  maxFileSize?: number | ((file: string) => number);
  /** Told about every file left out for a reason worth a log line (size, binary). */
  onSkip?: (file: string, reason: string) => void;
  /** Symlinks are not followed out of `roots`: a workspace must not make us read elsewhere. */
  followSymlinks?: boolean;
}

/** True when the first bytes hold a NUL: a binary file that happens to carry a source extension. */
const binaryProbeBytes = 8000;
export function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, binaryProbeBytes);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

/**
 * A file's text, or undefined for a binary file (looksBinary). Decoded by Node in one call, without
 * a Buffer: reading a scan's files was a fifth of a Python scan, half of it in the Buffer's decode.
 * A NUL byte in UTF-8 is always the character U+0000 and sits at or after its character's index, so
 * only a NUL among the first characters needs the bytes to tell.
 */
export function readSourceText(file: string): string | undefined {
  const text = fs.readFileSync(file, 'utf8');
  const nul = text.indexOf('\0');
  if (nul >= 0 && nul < binaryProbeBytes) return looksBinary(fs.readFileSync(file)) ? undefined : text;
  return text;
}

/**
 * Lists the checkable files under `roots` (files or folders), skipping node_modules, VCS folders,
 * whatever the `.gitignore` files on the way ignore, and the `exclude` globs.
 */
export function collectFiles(roots: readonly string[], options: WalkOptions = {}): string[] {
  const walk = collectFilesStepwise(roots, options);
  for (;;) {
    const step = walk.next();
    if (step.done) return step.value;
  }
}

/**
 * collectFiles one folder at a time: the generator pauses after each folder it reads, so a
 * caller on an event loop (the language server's workspace scan) can give way between folders
 * of a 100 000-file workspace. Returns the files when done.
 */
export function* collectFilesStepwise(roots: readonly string[], options: WalkOptions = {}): Generator<void, string[]> {
  const out: string[] = [];
  const excluded = options.exclude?.length ? picomatch(options.exclude as string[], { dot: true }) : undefined;
  const maxSizeOf = (file: string) => (typeof options.maxFileSize === 'function' ? options.maxFileSize(file) : (options.maxFileSize ?? Infinity));

  const consider = (file: string, base: string, explicit: boolean) => {
    if (!explicit && !isCheckable(file)) return;
    const rel = path.relative(base, file).split(path.sep).join('/');
    if (excluded && (excluded(rel) || excluded(file))) return;
    if (options.isExcluded?.(file, false)) return;
    const maxSize = maxSizeOf(file);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return;
    }
    if (stat.size > maxSize) {
      options.onSkip?.(file, `larger than sendcheck.maxFileSize (${stat.size} > ${maxSize} bytes)`);
      return;
    }
    out.push(file);
  };

  const walk = function* (dir: string, base: string, ignores: { ig: Ignore; dir: string }[], depth: number): Generator<void> {
    if (depth > 64) return;
    let ig = ignores;
    const gi = path.join(dir, '.gitignore');
    try {
      ig = [...ignores, { ig: ignore().add(fs.readFileSync(gi, 'utf8')), dir }];
    } catch {
      /* no .gitignore here */
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        if (!options.followSymlinks) continue;
        try {
          const real = fs.realpathSync(full);
          if (!isInside(real, base)) continue;
          const st = fs.statSync(real);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir && alwaysSkippedDirs.has(e.name)) continue;
      const ignored = ig.some(({ ig: i, dir: d }) => {
        const rel = path.relative(d, full).split(path.sep).join('/');
        return rel !== '' && !rel.startsWith('..') && i.ignores(isDir ? `${rel}/` : rel);
      });
      if (ignored) continue;
      if (isDir) {
        const rel = path.relative(base, full).split(path.sep).join('/');
        if (excluded && (excluded(rel) || excluded(`${rel}/`))) continue;
        if (options.isExcluded?.(full, true)) continue;
        yield* walk(full, base, ig, depth + 1);
      } else if (isFile) consider(full, base, false);
    }
    yield;
  };

  for (const root of roots) {
    const abs = path.resolve(root);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      continue;
    }
    if (st.isDirectory()) yield* walk(abs, abs, [], 0);
    else consider(abs, path.dirname(abs), true);
  }
  return [...new Set(out)];
}

/** A separator with nothing or only dots after it: `//`, `/./`, `/../`, a trailing `/`, `/.`, `/..`. */
const notNormal = /\/\.{0,2}(?:\/|$)/;

export function isInside(file: string, dir: string): boolean {
  // Absolute POSIX paths already in normal form (nearly every path the hosts ask about): a prefix
  // test says what path.relative would, without its two resolves per call (a tenth of a Python
  // scan went to them).
  if (path.sep === '/' && file.charCodeAt(0) === 47 && dir.charCodeAt(0) === 47 && !notNormal.test(file) && !notNormal.test(dir)) {
    if (file === dir) return true;
    if (file.length <= dir.length || file.charCodeAt(dir.length) !== 47 || !file.startsWith(dir)) return false;
    return !file.startsWith('..', dir.length + 1);
  }
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Reads files from disk, cached by mtime and size; `overlay` lets callers supply unsaved text.
 * With `roots`, files outside those folders (after resolving symlinks) read as missing: a
 * workspace's tsconfig `extends`, an import path or a symlink must not make the checker read
 * elsewhere on the machine.
 */
export class DiskHost implements SourceHost {
  private cache = new Map<string, { key: string; text: string | undefined }>();
  private overlays = new Map<string, { text: string; version: string }>();
  private allowed = new Map<string, boolean>();
  protected roots: string[] | undefined;

  constructor(options: { roots?: readonly string[] } = {}) {
    // Each root as given and as resolved: a workspace opened through a symlinked path is still itself.
    this.roots = options.roots?.flatMap((r) => {
      const abs = path.resolve(r);
      try {
        const real = fs.realpathSync(abs);
        return real === abs ? [abs] : [abs, real];
      } catch {
        return [abs];
      }
    });
  }

  /** True when `file` may be read: no roots were given, or it lies inside one of them. */
  isAllowed(file: string): boolean {
    if (!this.roots) return true;
    let ok = this.allowed.get(file);
    if (ok === undefined) {
      let real = path.resolve(file);
      // Outside by its name alone: refuse without touching the file system there.
      if (!this.roots.some((r) => isInside(real, r))) {
        this.allowed.set(file, false);
        return false;
      }
      // Its folder resolved once for all the files in it (module lookups probe many missing files,
      // and realpath of a missing file costs a thrown error); the file itself only when a symlink.
      const parent = path.dirname(real);
      // A root itself resolves as itself: its parent folder is outside, not ours to touch.
      const parentInside = this.roots.some((r) => isInside(parent, r));
      const dir = parentInside ? this.realDir(parent) : undefined;
      if (!parentInside) real = this.realDir(real) ?? real;
      else if (dir !== undefined) {
        const own = path.join(dir, path.basename(real));
        if (this.isSymlink(own)) {
          try {
            real = fs.realpathSync(own);
          } catch {
            real = own; // a dangling link: judged by where it sits
          }
        } else real = own;
      }
      // else a missing folder: judge the path as written.
      ok = this.roots.some((r) => isInside(real, r));
      this.allowed.set(file, ok);
    }
    return ok;
  }

  /**
   * A package's typings where module resolution looks for them, as tsc reads them: under a
   * `node_modules` folder that sits in a root or in a folder above one (a monorepo's hoisted
   * install, a corpus sharing one install, a `node_modules` that is a symlink to another
   * checkout). Judged by the path as written: the folders, `package.json` and declaration files
   * only, never a source file or a config, and never written (fixes create files by `isAllowed`).
   */
  private isPackageTypings(file: string, folder: boolean): boolean {
    if (!this.roots) return true;
    const p = path.resolve(file);
    const marker = `${path.sep}node_modules`;
    // `…/node_modules/…`, or the `node_modules` folder itself.
    const at = (p + path.sep).indexOf(marker + path.sep);
    if (at < 0) return false;
    const owner = p.slice(0, at) || path.sep;
    if (!this.roots.some((r) => isInside(r, owner) || isInside(owner, r))) return false;
    const base = path.basename(p);
    return folder || base === 'package.json' || /\.d\.[cm]?ts$/.test(base);
  }

  /** Readable: inside a root, or a package's typings (isPackageTypings); `folder` for a folder on the way. */
  mayRead(file: string, folder = false): boolean {
    return this.isAllowed(file) || this.isPackageTypings(file, folder);
  }

  /** A folder's entries, or undefined when it cannot be read (with the error's code). */
  protected dirEntries(dir: string, error?: { code?: string }): fs.Dirent[] | undefined {
    try {
      return fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if (error) error.code = (e as NodeJS.ErrnoException).code;
      return undefined;
    }
  }

  /** Whether `file` (in a folder already resolved through its symlinks) is itself a symlink. */
  protected isSymlink(file: string): boolean {
    try {
      return fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() === true;
    } catch {
      // ENOTDIR and the like: not a link, and not a file either
      return false;
    }
  }

  /** Folders resolved through their symlinks; a missing one is asked again (it may be created, as a link anywhere). */
  private realDirs = new Map<string, string>();
  private realDir(dir: string): string | undefined {
    let real = this.realDirs.get(dir);
    if (real === undefined) {
      // Module lookups probe many files in folders that do not exist (`pkg/pkg/mod.py`): one stat
      // says so, where a failing realpath costs a stat of every ancestor and a thrown error.
      try {
        if (!fs.statSync(dir, { throwIfNoEntry: false })) return undefined;
      } catch {
        return undefined;
      }
      try {
        real = fs.realpathSync(dir);
      } catch {
        return undefined;
      }
      this.realDirs.set(dir, real);
    }
    return real;
  }

  setOverlay(file: string, text: string, version: string | number): void {
    this.overlays.set(file, { text, version: `o${version}` });
  }

  clearOverlay(file: string): void {
    this.overlays.delete(file);
  }

  invalidate(file: string): void {
    this.cache.delete(file);
  }

  private statKey(file: string): string | undefined {
    if (!this.mayRead(file)) return undefined;
    try {
      // Most files asked about are missing module candidates: no thrown error for those.
      const st = fs.statSync(file, { throwIfNoEntry: false });
      return st?.isFile() ? `${st.mtimeMs}:${st.size}` : undefined;
    } catch {
      return undefined;
    }
  }

  readFile(file: string): string | undefined {
    return this.read(file).text;
  }

  /** The text and the version together, from one stat (readFile and version each make one). */
  protected read(file: string): { text: string | undefined; version: string } {
    const o = this.overlays.get(file);
    if (o) return o;
    const key = this.statKey(file);
    if (key === undefined) return { text: undefined, version: 'missing' };
    const hit = this.cache.get(file);
    if (hit && hit.key === key) return { text: hit.text, version: key };
    let text: string | undefined;
    try {
      text = readSourceText(file);
    } catch {
      text = undefined;
    }
    this.cache.set(file, { key, text });
    return { text, version: key };
  }

  fileExists(file: string): boolean {
    return this.overlays.has(file) || this.statKey(file) !== undefined;
  }

  version(file: string): string {
    return this.overlays.get(file)?.version ?? this.statKey(file) ?? 'missing';
  }

  directoryExists(dir: string): boolean {
    if (!this.mayRead(dir, true)) return false;
    try {
      return fs.statSync(dir).isDirectory();
    } catch {
      return false;
    }
  }

  listDirectory(dir: string): { files: string[]; directories: string[] } {
    const files: string[] = [];
    const directories: string[] = [];
    if (!this.mayRead(dir, true)) return { files, directories };
    try {
      for (const e of this.dirEntries(dir) ?? []) {
        if (e.isDirectory()) directories.push(e.name);
        else if (e.isFile()) files.push(e.name);
        else if (e.isSymbolicLink() && this.mayRead(path.join(dir, e.name), true)) {
          try {
            const st = fs.statSync(path.join(dir, e.name));
            (st.isDirectory() ? directories : files).push(e.name);
          } catch {}
        }
      }
    } catch {}
    return { files, directories };
  }
}

/**
 * Why a file's text is not worth analysing, or undefined when it is: too large for the
 * configured limit, or generated/minified code (a marker near the top, or very long lines),
 * where findings would be noise and parsing is slow.
 */
export function skipReason(text: string, maxFileSize: number): string | undefined {
  if (text.length > maxFileSize) return `larger than sendcheck.maxFileSize (${text.length} > ${maxFileSize} characters)`;
  const head = text.slice(0, 2000);
  if (/@generated\b|\bDO NOT EDIT\b|^\/\/# sourceMappingURL=.*\.min\./m.test(head) && !/@generated\s+SignedSource<<|not @generated/.test(head)) return 'generated code (marker in its header)';
  // Line by line through the first 64 Ki characters (indexOf, not a loop over every character).
  const end = Math.min(text.length, 65536);
  for (let lineStart = 0; lineStart <= end; ) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl < 0 || nl > end ? end : nl;
    if (lineEnd - lineStart > 5000) return `minified or generated (a line of ${lineEnd - lineStart}+ characters)`;
    lineStart = lineEnd + 1;
  }
  return undefined;
}
