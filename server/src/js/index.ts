import type { LanguageEngine } from '../engine/types';
import { isCheckable, jsExtensions } from '../engine/files';
import * as path from 'node:path';

// Placeholder until the JS/TS engine lands (issue: the JS/TS engine). It recognises its files
// so that routing, the CLI and the server can be built and tested against it.
export function createJsEngine(): LanguageEngine {
  return {
    language: 'js',
    rules: [],
    handles: (file) => isCheckable(file) && jsExtensions.includes(path.extname(file).toLowerCase()),
    check: () => [],
  };
}
