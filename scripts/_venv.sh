# Shared by scripts/test and scripts/demo (source it, do not run it).
# Creates .venv when missing and installs the hash-locked requirements into it;
# skips the install when the lock files have not changed since the last one.
# Sets REPO_ROOT and VENV.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO_ROOT/.venv}"

_lock_hash() {
  cat "$REPO_ROOT/requirements/runtime.txt" "$REPO_ROOT/requirements/dev.txt" \
    | sha256sum | cut -d' ' -f1
}

ensure_venv() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    echo "==> creating $VENV" >&2
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.requirements.sha256" want
  want="$(_lock_hash)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "==> installing hash-locked requirements into $VENV" >&2
  # The exact same lock file and flags as the Dockerfile uses for runtime.txt; reinstalled whole when
  # it changed, so a wheel the lock now picks by its hash (dulwich's pure one) replaces the one an
  # older lock installed at the same version.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall \
    --require-hashes --no-deps -r "$REPO_ROOT/requirements/runtime.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r "$REPO_ROOT/requirements/dev.txt"
  echo "$want" >"$stamp"
}

ensure_webhook_fixtures() {
  local dir="$REPO_ROOT/tests/fixtures/webhooks"
  if [[ -f "$dir/package-lock.json" && ! -d "$dir/node_modules" ]]; then
    echo "==> installing webhook fixtures (npm ci)" >&2
    npm ci --prefix "$dir" --no-audit --no-fund --ignore-scripts >&2
  fi
}
