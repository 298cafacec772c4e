import { LSPErrorCodes, ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver';
import type { SendcheckConfig } from '../engine/config';
import { collectFilesStepwise, isInside } from '../engine/files';
import { isNotebookFile } from '../engine/notebook';
import type { Finding } from '../engine/types';
import type { Configuration } from './configuration';
import { tick, type CheckSettings, type ServerState } from './state';

// The workspace scan: every checkable file of every folder, in small slices that give way to
// what the user is looking at, with work-done progress. Closed files' problems come from here.

export class WorkspaceScan {
  /** The scan in flight, settled (never rejecting) when it ends. */
  running: Promise<void> | undefined;
  /** True once a scan ran to its end. */
  complete = false;
  private generation = 0;
  private rescanTimer: NodeJS.Timeout | undefined;
  /** What the scan waiting to start covers. */
  private pending: string[] | 'all' | undefined;
  /** Fixed batch size for tests; otherwise batches adapt so each takes about `sliceMs`. */
  private readonly fixedBatch: number | undefined;
  private readonly sliceMs = 40;

  constructor(
    private readonly state: ServerState,
    private readonly configuration: Configuration,
  ) {
    this.fixedBatch = state.options.scanBatchSize;
  }

  /** Scans every folder, or only what lies under `under` (folders whose settings changed). */
  private async scan(progress: WorkDoneProgressReporter | undefined, token?: CancellationToken, under?: readonly string[]): Promise<void> {
    const { state } = this;
    const generation = ++this.generation;
    const superseded = () => generation !== this.generation || token?.isCancellationRequested === true;
    const inScope = (p: string) => !under || under.some((d) => isInside(p, d));
    // Folders on the way to a scanned folder are walked too, so the .gitignore files above it still apply.
    const onTheWay = (dir: string) => !under || under.some((d) => isInside(dir, d) || isInside(d, dir));
    state.sendStatus('checking');
    await state.ready.catch(() => undefined);
    const plan: { settings: CheckSettings; files: string[] }[] = [];
    for (const folder of state.folders) {
      if (!onTheWay(folder)) continue;
      const settings = await this.configuration.folderOf(folder);
      // The walk gives way every few milliseconds: a workspace of 100 000 files takes seconds to
      // list, and an open document's request must not wait for that.
      const walk = collectFilesStepwise([folder], {
        isExcluded: (p, isDir) => (isDir ? !onTheWay(p) : !inScope(p)) || settings.isExcluded(p, isDir),
        maxFileSize: (f) => settings.forFile(f).config.maxFileSize,
        onSkip: (f, why) => state.log(`sendcheck: skipped ${f}: ${why}`),
      });
      let files: string[];
      for (let sliceStart = Date.now(); ; ) {
        const step = walk.next();
        if (step.done) {
          files = step.value;
          break;
        }
        if (Date.now() - sliceStart < this.sliceMs / 2) continue;
        state.recordWork('listing the workspace', sliceStart);
        await tick();
        for (let waited = 0; state.interactive > 0 && !superseded() && waited < 5_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
        if (superseded()) {
          walk.return([]);
          files = [];
          break;
        }
        sliceStart = Date.now();
      }
      if (superseded()) break;
      // Files under one project configuration share settings and are checked together.
      const groups = new Map<SendcheckConfig, { settings: CheckSettings; files: string[] }>();
      for (const f of files) {
        if (state.folderOf(f) !== folder) continue; // a nested workspace folder scans its own files
        // Notebooks are checked when opened (notebooks.ts): their findings belong to cells, which a closed notebook has no URIs for.
        if (isNotebookFile(f)) continue;
        const fileSettings = settings.forFile(f);
        if (!fileSettings.config.enable) continue;
        const group = groups.get(fileSettings.config) ?? { settings: fileSettings, files: [] };
        group.files.push(f);
        groups.set(fileSettings.config, group);
      }
      plan.push(...groups.values());
    }
    // Superseded while listing: the newer scan does the work; this one ends here, changing nothing.
    if (superseded()) {
      if (generation === this.generation) state.sendStatus('idle');
      if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'workspace check cancelled');
      return;
    }
    const total = plan.reduce((n, p) => n + p.files.length, 0);
    progress?.begin('sendcheck', 0, `0/${total} files`, true);
    const started = Date.now();
    const seen = new Set<string>();
    let done = 0;
    let cancelled = false;
    outer: for (const { settings, files } of plan) {
      // Checks are synchronous: small slices keep typing and requests answered during a big scan.
      let batchSize = this.fixedBatch ?? 1;
      for (let i = 0; i < files.length; ) {
        await tick();
        // What the user is looking at comes first: open documents' checks and requests.
        for (let waited = 0; state.interactive > 0 && !superseded() && waited < 5_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
        if (superseded() || (progress as { token?: CancellationToken } | undefined)?.token?.isCancellationRequested) {
          cancelled = true;
          break outer;
        }
        const batch = files.slice(i, i + batchSize);
        for (const f of batch) seen.add(f);
        const closed = batch.filter((f) => !state.openDocument(f));
        const sliceStart = Date.now();
        const findings = closed.length ? state.runCheck(closed, settings, superseded, 'scan slice') : [];
        const took = Date.now() - sliceStart;
        const nextSize =
          this.fixedBatch ?? (took < this.sliceMs / 2 ? Math.min(batchSize * 2, 64) : took > this.sliceMs * 2 ? Math.max(1, batchSize >> 1) : batchSize);
        if (findings && !superseded()) {
          const byFile = new Map<string, Finding[]>(closed.map((f) => [f, []]));
          for (const f of findings) byFile.get(f.file)?.push(f);
          for (const [file, list] of byFile) {
            const prev = state.results.get(file);
            if (list.length === 0 && !prev) continue;
            state.store(file, null, list);
          }
        }
        done += batch.length;
        progress?.report(total ? Math.round((done / total) * 100) : 100, `${done}/${total} files`);
        i += batch.length;
        batchSize = nextSize;
      }
    }
    if (!cancelled) {
      // Files gone from the workspace, newly ignored or excluded: their problems go too.
      for (const file of state.workspaceFiles) if (inScope(file) && !seen.has(file) && !state.openDocument(file)) state.drop(file);
      if (under) for (const file of state.workspaceFiles) if (!inScope(file)) seen.add(file);
      state.workspaceFiles = seen;
      this.complete = true;
      state.log(`sendcheck: checked ${total} files in ${Date.now() - started} ms, ${state.totalFindings()} findings`);
    } else if (generation === this.generation) state.log(`sendcheck: workspace check cancelled after ${done}/${total} files`);
    progress?.done();
    if (generation === this.generation) state.sendStatus('idle');
    if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'workspace check cancelled');
  }

  async start(token?: CancellationToken, workDoneToken?: string | number, under?: readonly string[]): Promise<void> {
    const { state } = this;
    let progress: WorkDoneProgressReporter | undefined;
    try {
      if (workDoneToken !== undefined) progress = state.connection.window.attachWorkDoneProgress(workDoneToken);
      else if (state.caps.workDoneProgress) progress = await state.connection.window.createWorkDoneProgress();
    } catch (e) {
      state.logError('work done progress unavailable', e);
    }
    const run = this.scan(progress, token, under);
    this.running = run.catch(() => undefined);
    return run;
  }

  /**
   * A scan after `delayMs` (default: the debounce, at least 300 ms), replacing one already
   * waiting; with `under`, of those folders only (a scan of everything already waiting covers them).
   */
  schedule(delayMs = Math.max(this.state.debounceMs, 300), under?: readonly string[]): void {
    clearTimeout(this.rescanTimer);
    this.pending = under && this.pending !== 'all' ? [...(this.pending ?? []), ...under] : 'all';
    this.rescanTimer = setTimeout(() => {
      const pending = this.pending;
      this.pending = undefined;
      void this.start(undefined, undefined, pending === 'all' ? undefined : pending).catch((e) => this.state.logError('workspace check failed', e));
    }, delayMs);
  }

  /** Re-checks closed workspace files whose text changed on disk. */
  async recheckClosed(files: readonly string[]): Promise<void> {
    const { state } = this;
    for (const file of files) {
      if (state.openDocument(file) || !state.workspaceFiles.has(file)) continue;
      const settings = await this.configuration.configFor(file);
      const findings = settings.config.enable && !settings.excluded ? state.runCheck([file], settings) : [];
      if (findings && !state.openDocument(file)) state.store(file, null, findings.filter((f) => f.file === file));
    }
    state.sendStatus('idle');
  }

  /** Stops the scan in flight and any scan waiting to start. */
  dispose(): void {
    this.generation++;
    clearTimeout(this.rescanTimer);
  }
}
