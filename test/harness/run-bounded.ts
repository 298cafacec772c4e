import { spawn } from 'node:child_process';

// Runs a program the oracles judge, collecting its output, killed when it outlives its time.

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /**
   * Run in its own process group and kill the whole group, at the timeout and after it exits:
   * children a failed program leaves behind (a pool whose task was lost) go with it.
   */
  processGroup?: boolean;
}

export function runBounded(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: options.processGroup, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const kill = () => {
      try {
        if (options.processGroup) process.kill(-child.pid!, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (options.processGroup) kill();
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
