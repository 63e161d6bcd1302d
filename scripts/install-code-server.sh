#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3; 4.103 and later need Node 22, we run Node 20) into
# .tools/code-server/ of this repository, for the end-to-end tests in test/e2e/.
#
#   bash scripts/install-code-server.sh
#
# A plain `npm install code-server` downloads ripgrep and a git dependency in its postinstall,
# which machines limited to the npm registry and Debian's packages cannot do; so the package is
# installed without scripts and its postinstall is done here by hand, with Debian's ripgrep.
#
# Idempotent: the last step writes the marker file .tools/code-server/.installed (first line: the
# version); when it names this version the script exits at once. Without it, anything left by an
# interrupted run (or another version) is removed and the install starts over.
# Needs Node 20 with npm, and apt-get when the Debian packages are missing (run as root, or with
# sudo available). Environment:
#   PLAN_LENS_TOOLS_DIR   where to install instead of <repo>/.tools
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${PLAN_LENS_TOOLS_DIR:-$ROOT/.tools}"
DEST="$TOOLS/code-server"
MARKER="$DEST/.installed"
PKG="$DEST/node_modules/code-server"
VSCODE="$PKG/lib/vscode"

START=$(date +%s)
log() { echo "[install-code-server +$(( $(date +%s) - START ))s] $*"; }

if [ -f "$MARKER" ] && [ "$(head -n 1 "$MARKER")" = "$VERSION" ]; then
  echo "[install-code-server] code-server $VERSION already installed in $DEST"
  exit 0
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
  echo "[install-code-server] warning: code-server $VERSION is built for Node 20, this is Node $(node -v)" >&2
fi

# Native modules (kerberos, node-pty, argon2, ...) are compiled by node-gyp, which would try to
# download Node's headers unless told where the installed ones are.
configured_nodedir=$(npm config get nodedir 2>/dev/null || true)
if [ -z "${npm_config_nodedir:-}" ] && { [ -z "$configured_nodedir" ] || [ "$configured_nodedir" = undefined ] || [ "$configured_nodedir" = null ]; }; then
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  if [ -f "$node_prefix/include/node/common.gypi" ]; then
    export npm_config_nodedir="$node_prefix"
  fi
fi
# node-pty's install script runs `npx node-gyp`, which must not stop to ask.
export npm_config_yes=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# 1. Debian packages: headers for the native modules (kerberos needs krb5-config), ripgrep
#    instead of the binary the postinstall would download, and a compiler if the machine lacks one.
apt_packages=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep)
command -v python3 >/dev/null || apt_packages+=(python3)
command -v make >/dev/null || apt_packages+=(make)
command -v g++ >/dev/null || apt_packages+=(g++)
missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "Debian packages already installed: ${apt_packages[*]}"
fi

if [ -e "$DEST" ]; then
  log "removing the unfinished or other install in $DEST"
  rm -rf "$DEST"
fi
mkdir -p "$DEST"

# 2. code-server itself, without its install scripts.
log "npm install --ignore-scripts code-server@$VERSION"
printf '{\n  "name": "plan-lens-code-server",\n  "private": true\n}\n' > "$DEST/package.json"
(cd "$DEST" && npm install --no-save --ignore-scripts --loglevel=error "code-server@$VERSION")

# 3. VS Code's own dependencies, then the native modules built against this Node.
log "npm install --omit=dev --ignore-scripts in lib/vscode"
(cd "$VSCODE" && npm install --omit=dev --ignore-scripts --loglevel=error)
log "npm rebuild of the native modules in lib/vscode (compiles C++, the slow part)"
(cd "$VSCODE" && npm rebuild --ignore-scripts=false --loglevel=error \
  @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty)

# 4. Debian's ripgrep in place of the downloaded one (search in files, Quick Open).
log "linking $(command -v rg) as @vscode/ripgrep/bin/rg"
mkdir -p "$VSCODE/node_modules/@vscode/ripgrep/bin"
ln -sfn "$(command -v rg)" "$VSCODE/node_modules/@vscode/ripgrep/bin/rg"

# 5. The rest of code-server's postinstall.sh.
log "postinstall links; npm install --omit=dev in lib/vscode/extensions"
ln -sfn node_modules "$VSCODE/node_modules.asar"
ln -sfn code-linux.sh "$VSCODE/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VSCODE/bin/helpers/browser.sh"
(cd "$VSCODE/extensions" && npm install --omit=dev --loglevel=error)

# 6. argon2 (password hashing; loaded at start even with --auth none).
log "npm rebuild argon2"
(cd "$DEST" && npm rebuild --ignore-scripts=false --loglevel=error argon2)

log "checking: the native modules load, code-server --version"
(cd "$VSCODE" && node -e '
  for (const m of ["@parcel/watcher", "@vscode/deviceid", "@vscode/spdlog", "kerberos", "native-watchdog", "node-pty"]) require(m);')
(cd "$PKG" && node -e 'require("argon2")')
"$DEST/node_modules/.bin/code-server" --config /dev/null --version

printf '%s\ninstalled %s\n' "$VERSION" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$MARKER"
log "code-server $VERSION installed in $DEST in $(( $(date +%s) - START ))s"
