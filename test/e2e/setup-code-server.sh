#!/usr/bin/env bash
# Installs code-server (VS Code served to a browser) from the npm registry, with no other network
# access, into a cache directory (default: .cache/code-server at the repository root). A second run
# with the install complete returns at once. Prints the path of code-server's entry.js last.
#
# Needs Debian's build-essential, python3, libkrb5-dev and ripgrep (.ci/run installs them).
# The recipe is ../shared/notes/code-server.md: the npm postinstall steps download ripgrep and node
# headers from outside the registry, so scripts are skipped and the native modules are rebuilt
# against the system Node's headers instead.
set -euo pipefail
VERSION=4.100.3
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-${RVREPLAY_CODE_SERVER_DIR:-$root/.cache/code-server}}
cs=$dir/node_modules/code-server
marker=$dir/.installed-$VERSION
if [ -f "$marker" ] && [ -f "$cs/out/node/entry.js" ]; then
  echo "$cs/out/node/entry.js"
  exit 0
fi
for tool in rg python3 make g++; do
  command -v $tool >/dev/null || { echo "setup-code-server: missing $tool (apt-get install build-essential python3 libkrb5-dev ripgrep)" >&2; exit 1; }
done
mkdir -p "$dir" && cd "$dir"
rm -f .installed-*
[ -f package.json ] || echo '{"private":true}' > package.json
echo "setup-code-server: installing code-server@$VERSION into $dir (about a minute)" >&2
npm install code-server@$VERSION --ignore-scripts --no-audit --no-fund --loglevel=error >&2
npm rebuild argon2 --ignore-scripts=false --loglevel=error >&2
(cd "$cs/lib/vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
gyp=$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
[ -f "$gyp" ] || gyp=/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
nodedir=$(cd "$(dirname "$(command -v node)")/.." && pwd)
[ -f "$nodedir/include/node/node.h" ] || nodedir=/usr
for m in node-pty kerberos @parcel/watcher @vscode/spdlog @vscode/deviceid native-watchdog; do
  (cd "$cs/lib/vscode/node_modules/$m" && node "$gyp" rebuild --nodedir="$nodedir" >/dev/null 2>&1) \
    || { echo "setup-code-server: building $m failed" >&2; exit 1; }
done
mkdir -p "$cs/lib/vscode/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$cs/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$cs/lib/vscode/node_modules.asar"
touch "$marker"
echo "$cs/out/node/entry.js"
