// Preloaded into the CLI or the server under test: records every path the process opens, reads,
// lists or stats through node:fs, one per line, into $SENDCHECK_TRACE_FILE. The security test
// checks that list against the workspace.
'use strict';
const fs = require('node:fs');
const out = process.env.SENDCHECK_TRACE_FILE;
const seen = new Set();
const record = (p) => {
  if (typeof p !== 'string' && !(p instanceof URL) && !Buffer.isBuffer(p)) return;
  const s = String(p instanceof URL ? p.pathname : p);
  if (seen.has(s)) return;
  seen.add(s);
  origAppend(out, s + '\n');
};
const origAppend = fs.appendFileSync;
const wrap = (obj, names) => {
  for (const n of names) {
    const orig = obj[n];
    if (typeof orig !== 'function') continue;
    obj[n] = function (p, ...rest) {
      record(p);
      return orig.call(this, p, ...rest);
    };
  }
};
if (out) {
  wrap(fs, ['readFileSync', 'openSync', 'readdirSync', 'statSync', 'lstatSync', 'existsSync', 'realpathSync', 'accessSync', 'readFile', 'open', 'readdir', 'stat', 'createReadStream', 'opendirSync']);
  wrap(fs.promises, ['readFile', 'open', 'readdir', 'stat', 'lstat', 'access']);
}
