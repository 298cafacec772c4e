import type { LanguageEngine } from '../engine/types';
import { pythonExtensions } from '../engine/files';
import * as path from 'node:path';

// Placeholder until the Python engine lands (issue: the Python engine).
export function createPythonEngine(): LanguageEngine {
  return {
    language: 'python',
    rules: [],
    handles: (file) => pythonExtensions.includes(path.extname(file).toLowerCase()),
    check: () => [],
  };
}
