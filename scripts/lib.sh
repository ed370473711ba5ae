# Shared set-up steps for scripts/start.sh and scripts/test.sh. Everything the project needs is
# installed from here, so a fresh machine (and CI) gets it too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.9"
BOOT="$ROOT/var/bootstrap"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_python() {
  local candidates=(python3.12 "$HOME/.pyenv/versions/3.12"*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12)
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  echo "Python 3.12 is required (pyenv install 3.12, or your system's python3.12)." >&2
  return 1
}

ensure_uv() {
  local py; py="$(find_python)"
  if [ ! -x "$BOOT/bin/uv" ] || [ "$("$BOOT/bin/uv" --version 2>/dev/null | awk '{print $2}')" != "$UV_VERSION" ]; then
    log "Installing uv $UV_VERSION (the lock file's installer) into var/bootstrap"
    mkdir -p "$ROOT/var"
    "$py" -m venv "$BOOT"
    "$BOOT/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  export UV_PYTHON="$py" UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT="$ROOT/.venv"
}

python_deps() {  # $@: extra uv sync flags
  ensure_uv
  log "Installing Python packages from uv.lock into .venv"
  (cd "$ROOT" && "$BOOT/bin/uv" sync --locked --quiet "$@")
}

frontend_deps() {
  log "Installing front-end libraries from package-lock.json"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
}

bluesky_deps() {  # Node 22 and Bluesky's own servers (tools/bluesky): the local network of the tests and the sandbox
  local dir="$ROOT/tools/bluesky"
  local stamp="$dir/node_modules/.harmonie-lock-sha256" want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -x "$dir/node_modules/node/bin/node" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    log "Local Bluesky network (tools/bluesky): installed, matches its package-lock.json"
    return 0
  fi
  log "Installing the local Bluesky network (Node 22, @atproto/dev-env) from tools/bluesky/package-lock.json"
  local flags=(--no-audit --no-fund --loglevel=error)
  (
    cd "$dir"
    npm ci --ignore-scripts "${flags[@]}"  # the locked tree, nothing built yet
    npm rebuild node "${flags[@]}"  # Node 22 itself: the `node` package fetches its binary and headers
    local headers
    headers="$(ls -d "$dir"/node_modules/node/node_modules/node-*/include/node | head -n 1)"
    headers="${headers%/include/node}"
    # Native modules (better-sqlite3) compiled with Node 22 against its own headers: nothing to download.
    PATH="$dir/node_modules/node/bin:$PATH" npm_config_nodedir="$headers" npm rebuild --nodedir="$headers" "${flags[@]}"
  )
  echo "$want" >"$stamp"
}

translations() {
  log "Compiling translations"
  "$ROOT/.venv/bin/python" "$ROOT/scripts/compile_translations.py"
}

apt_install() {  # $@: Debian packages, installed only if missing
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
