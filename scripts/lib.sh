# Shared by scripts/demo and scripts/test: installs what is missing (pinned in versions.env)
# and builds the browser assets. Source it; do not run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=versions.env
source "$ROOT/scripts/versions.env"
# One target directory outside the clone, so fresh clones (and CI) build incrementally.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kassa-target}"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
SITE="$ROOT/target/site"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_build_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local locked
  locked=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print }' "$ROOT/Cargo.lock")
  if [ "$locked" != "$WASM_BINDGEN_VERSION" ]; then
    echo "Cargo.lock has wasm-bindgen $locked but scripts/versions.env pins the CLI at $WASM_BINDGEN_VERSION: make them equal" >&2
    exit 1
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
    # Not --locked: its lock names a webpki-roots release the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  command -v npm >/dev/null || apt_install nodejs npm
  local want="binaryen@$BINARYEN_VERSION @playwright/test@$PLAYWRIGHT_VERSION @axe-core/playwright@$AXE_CORE_PLAYWRIGHT_VERSION axe-core@$AXE_CORE_VERSION pngjs@$PNGJS_VERSION jsqr@$JSQR_VERSION"
  if [ "$(cat "$ROOT/node_modules/.kassa-tools" 2>/dev/null)" != "$want" ]; then
    say "installing node tools: $want"
    # Playwright drives Debian's chromium; it must never download a browser of its own.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$ROOT" --no-save --no-package-lock \
      --no-audit --no-fund --loglevel=error $want
    echo "$want" > "$ROOT/node_modules/.kassa-tools"
  fi
}

# Python test helpers (versions.env), in a virtual environment beside the target directory,
# made anew when the pins change.
setup_python_tools() {
  local venv="$HOME/.cache/kassa-venv"
  local want="openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION schemathesis==$SCHEMATHESIS_VERSION"
  want+=" openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION aiosmtpd==$AIOSMTPD_VERSION"
  if [ "$(cat "$venv/.kassa-tools" 2>/dev/null)" != "$want" ]; then
    say "installing Python test tools: $want"
    rm -rf "$venv"
    python3 -m venv "$venv" || { apt_install python3-venv && python3 -m venv "$venv"; }
    # shellcheck disable=SC2086
    "$venv/bin/pip" install --quiet --disable-pip-version-check $want
    echo "$want" > "$venv/.kassa-tools"
  fi
  export PATH="$venv/bin:$PATH"
}

# The shared target directory grows with every clone at a new path (each builds its own test
# binaries, ~300 MB apiece, and incremental caches): when the disk holding it has less than
# 20 GB free, the incremental caches and test binaries untouched for three hours go (cargo
# makes again what it still needs). A full disk fails the build with a linker crash.
free_disk_if_low() {
  local free_kb
  # On a fresh machine the directory does not exist yet (df would fail and stop the script).
  mkdir -p "$CARGO_TARGET_DIR"
  free_kb=$(df -Pk "$CARGO_TARGET_DIR" | awk 'NR==2 { print $4 }')
  [ -n "$free_kb" ] && [ "$free_kb" -lt $((20 * 1024 * 1024)) ] || return 0
  say "less than 20 GB free beside $CARGO_TARGET_DIR: removing stale incremental caches and test binaries"
  rm -rf "$CARGO_TARGET_DIR"/*/incremental
  find "$CARGO_TARGET_DIR"/debug/deps -maxdepth 1 -type f -executable -mmin +180 -delete 2>/dev/null || true
  df -Ph "$CARGO_TARGET_DIR" | awk 'NR==2 { print "  now free: " $4 }'
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The merchant API's OpenAPI document: valid OpenAPI 3.1 (openapi-spec-validator), usable by a
# common client generator (check_openapi_client), and true to a real server on the demo data:
# schemathesis sends generated requests with the demo's test key and checks every answer
# against the document (every check but positive_data_acceptance, which docs/security.md
# explains; a fixed seed, so that every run asks the same questions).
check_openapi() {
  local kassa="$1" dir port key pid rc=0
  dir=$(mktemp -d /tmp/kassa-openapi.XXXXXX)
  "$kassa" openapi > "$dir/openapi.json"
  openapi-spec-validator "$dir/openapi.json"
  port=$(free_port)
  key=$(KASSA_DATABASE_URL="sqlite://$dir/kassa.db" "$kassa" demo --json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])')
  KASSA_DATABASE_URL="sqlite://$dir/kassa.db" "$kassa" serve --addr "127.0.0.1:$port" \
    --webhook-allow-private-targets --api-rate-limit 1000000 >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  check_openapi_client "$dir" "http://127.0.0.1:$port/api/v1" "$key" || rc=$?
  # From the temporary folder: schemathesis keeps a cache in the folder it runs in.
  (cd "$dir" && st run "http://127.0.0.1:$port/api/v1/openapi.json" --url "http://127.0.0.1:$port/api/v1" \
    -H "Authorization: Bearer $key" --checks all --exclude-checks positive_data_acceptance \
    --max-examples "${KASSA_SCHEMATHESIS_EXAMPLES:-20}" --seed "${KASSA_SCHEMATHESIS_SEED:-1}" \
    --report-dir "$dir/report") || rc=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  [ "$rc" -eq 0 ] || tail -20 "$dir/serve.log" >&2
  rm -rf "$dir"
  return "$rc"
}

# A client generated from the document (in DIR, the temporary folder of check_openapi) by
# openapi-python-client works as written: the generator may not warn (a warning means an
# operation or a model left out), and scripts/openapi_client.py pushes a customer and an
# invoice through the generated client with the demo's key (URL, KEY) and reads both back.
# The generator reads a top-level `oneOf` beside `properties` as a union of one-field models
# without a warning; the document keeps its exactly-one-of rules inside an `allOf`
# (server/src/http/api/openapi.rs), and the round trip is what would catch such a misreading.
check_openapi_client() {
  local dir="$1" url="$2" key="$3"
  # No post hooks: the generated code is run, not read, so ruff need not format it.
  printf 'package_name_override: kassa_client\npost_hooks: []\n' > "$dir/openapi-python-client.yml"
  if ! openapi-python-client generate --path "$dir/openapi.json" --output-path "$dir/client/kassa_client" \
      --meta none --config "$dir/openapi-python-client.yml" --fail-on-warning >"$dir/client.log" 2>&1; then
    cat "$dir/client.log" >&2
    echo "openapi-python-client could not generate a whole client from the document (above)" >&2
    return 1
  fi
  python3 "$ROOT/scripts/openapi_client.py" "$dir/client" "$url" "$key"
}

wasm_opt() {
  # Size first (-Oz); features are read from the module's target_features section.
  wasm-opt -Oz "$1" -o "$1.opt" && mv "$1.opt" "$1"
}

# Fails unless the bundle's glue exports every `#[island]` of app/src/islands.rs (as
# `<Name>_...`): Leptos' islands are found by their export, and a build can drop one silently,
# leaving its part of the page dead without an error anywhere.
check_island_exports() {
  local js="$1" name missing=0
  for name in $(grep -A1 '^#\[island\]' "$ROOT/app/src/islands.rs" | sed -n 's/^pub fn \([A-Za-z0-9_]*\).*/\1/p'); do
    grep -q "export function ${name}_" "$js" || { echo "the wasm bundle lacks the island $name" >&2; missing=1; }
  done
  [ "$missing" -eq 0 ] || exit 1
}

# Builds the portal's hydration bundle, the stylesheet and the <kassa-pay> and <kassa-invoices> widgets into
# target/site (pkg/, assets/, w/), always size-optimised as shipped, each text and wasm file
# with its brotli copy (FILE.br). The portal's files are named by their content
# (kassa-<hash>.js, kassa-<hash>_bg.wasm, kassa-<hash>.css; not a dot: wasm-bindgen would take
# the hash for an extension) and listed in pkg/manifest.json,
# which the server reads to name them in pages and to let browsers keep them for a year. The
# widgets' script and wasm likewise (w/kassa.json, scripts/widget-bundle.mjs).
build_assets() {
  local wasm_dir="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release"
  say "building the portal's wasm (hydrate)"
  cargo build --locked -p kassa-app --lib --target wasm32-unknown-unknown \
    --no-default-features --features hydrate --profile wasm-release
  say "building the <kassa-pay> and <kassa-invoices> widgets"
  cargo build --locked -p kassa-widgets --lib --target wasm32-unknown-unknown --profile wasm-release
  rm -rf "$SITE.tmp" && mkdir -p "$SITE.tmp/pkg" "$SITE.tmp/w"
  # The glue and the optimised wasm follow from the built module and the pinned tools: its
  # hash names both. The stylesheet is named by its own.
  local bundle css
  bundle="kassa-$(sha256sum "$wasm_dir/kassa_app.wasm" | cut -c1-16)"
  css="kassa-$(sha256sum "$ROOT/style/main.css" | cut -c1-16).css"
  wasm-bindgen --target web --no-typescript --out-dir "$SITE.tmp/pkg" --out-name "$bundle" "$wasm_dir/kassa_app.wasm"
  wasm-bindgen --target web --no-typescript --out-dir "$SITE.tmp/w" --out-name kassa_widgets "$wasm_dir/kassa_widgets.wasm"
  check_island_exports "$SITE.tmp/pkg/$bundle.js"
  wasm_opt "$SITE.tmp/pkg/${bundle}_bg.wasm"
  wasm_opt "$SITE.tmp/w/kassa_widgets_bg.wasm"
  cp "$ROOT/style/main.css" "$SITE.tmp/pkg/$css"
  printf '{"bundle":"%s","stylesheet":"/pkg/%s"}\n' "$bundle" "$css" > "$SITE.tmp/pkg/manifest.json"
  # One script for the widgets, named by its content with its integrity hash (kassa.json).
  node "$ROOT/scripts/widget-bundle.mjs" "$SITE.tmp/w" "$ROOT/widgets/js/kassa.js"
  cp -r "$ROOT/public/assets" "$SITE.tmp/assets"
  # Brotli copies, made once here; the server keeps both in memory (server/src/http/assets.rs).
  find "$SITE.tmp" -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.svg' \) -print0 \
    | xargs -0 node "$ROOT/scripts/precompress.mjs"
  rm -rf "$SITE" && mv "$SITE.tmp" "$SITE"
}

# Starts a throwaway PostgreSQL cluster (Debian's `postgresql` package, installed if missing)
# on a free local port, exports KASSA_TEST_POSTGRES_URL for the integration tests and stops
# and deletes the cluster when the calling script exits. Nothing outside a temp dir is
# touched and no running server is assumed.
start_throwaway_postgres() {
  apt_install postgresql
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }
  PG_DIR=$(mktemp -d /tmp/kassa-pg.XXXXXX)
  local port as=()
  port=$(free_port)
  # PostgreSQL refuses to run as root: the cluster then belongs to the postgres user.
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 1; }
  trap 'stop_throwaway_postgres' EXIT
  export KASSA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  say "throwaway PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port"
}

stop_throwaway_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  local bin as=()
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
