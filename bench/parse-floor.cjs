// The floor for the Python scan: read and parse every .py file under a folder with the same
// web-tree-sitter parser sendcheck uses, and do nothing else. Prints JSON {files, lines, ms}.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Parser, Language } = require('web-tree-sitter');

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, out);
    else if (e.name.endsWith('.py')) out.push(full);
  }
  return out;
}

(async () => {
  const t0 = performance.now();
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  const parser = new Parser();
  parser.setLanguage(lang);
  let lines = 0;
  const files = walk(path.resolve(process.argv[2]), []);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    lines += text.split('\n').length;
    parser.parse(text).delete();
  }
  process.stdout.write(JSON.stringify({ files: files.length, lines, ms: performance.now() - t0 }) + '\n');
})();
