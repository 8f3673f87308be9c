# Shared set-up for scripts/leakcheck and scripts/test: install missing Debian
# packages, start a Docker engine when none answers, configure and build.
# Idempotent: with everything in place it installs nothing and prints nothing.
# Sourced, not run; expects `set -euo pipefail` from the caller.

LEAKCHECK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LEAKCHECK_BUILD="${LEAKCHECK_BUILD:-$LEAKCHECK_ROOT/build}"
LEAKCHECK_STATE="${LEAKCHECK_STATE:-$LEAKCHECK_ROOT/.state}"

# Debian 12 packages the build, the tests and a run need.
LEAKCHECK_PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config git
  # libraries
  libboost1.81-dev libboost-filesystem1.81-dev libproc2-dev nlohmann-json3-dev
  libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
  # the engine, the test image's userland, and the tools tests cross-check with
  docker.io busybox-static iproute2 procps lsof
  # reports: the browser the HTML report is tested in, and the JSON Schema
  # validator of report.json (scripts/validate-report)
  chromium python3-jsonschema
)

bootstrap_log() { echo "leakcheck: $*" >&2; }

bootstrap_packages() {
  local missing=() pkg
  for pkg in "${LEAKCHECK_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    bootstrap_log "missing Debian packages: ${missing[*]} (run as root, or install them)"
    exit 2
  fi
  bootstrap_log "installing ${missing[*]}"
  mkdir -p "$LEAKCHECK_STATE"
  local log="$LEAKCHECK_STATE/apt.log"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    bootstrap_log "package installation failed (full log: $log)"
    exit 2
  fi
}

docker_answers() { timeout 5 docker version >/dev/null 2>&1; }

# A dockerd process that is not a zombie (a killed engine can linger as one).
dockerd_alive() {
  local pid state
  for pid in $(pgrep -x dockerd 2>/dev/null); do
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
    [[ -n $state && $state != Z && $state != X ]] && return 0
  done
  return 1
}

bootstrap_docker() {
  docker_answers && return 0
  mkdir -p "$LEAKCHECK_STATE"
  local log="$LEAKCHECK_STATE/dockerd.log" pidfile=/var/run/docker.pid started=0 i
  for ((i = 0; i < 60; i++)); do
    docker_answers && return 0
    if ((started == 0)) && ! dockerd_alive; then
      # An engine that was killed leaves its pid file behind, and dockerd
      # refuses to start while it exists and names a live process: a pid file
      # whose process is gone (or is no dockerd) is stale and removed.
      if [[ -f $pidfile ]]; then
        local old
        old=$(cat "$pidfile" 2>/dev/null || true)
        if [[ -z $old || ! -d /proc/$old || "$(cat /proc/"$old"/comm 2>/dev/null)" != dockerd ]]; then
          rm -f "$pidfile"
        fi
      fi
      bootstrap_log "starting dockerd (log: $log)"
      setsid dockerd --iptables=false --bridge=none >"$log" 2>&1 </dev/null &
      started=1
    fi
    sleep 1
  done
  tail -n 20 "$log" >&2 || true
  bootstrap_log "the Docker engine did not answer on /var/run/docker.sock within 60 s (log: $log)"
  exit 2
}

bootstrap_build() {
  local log
  mkdir -p "$LEAKCHECK_STATE"
  log="$LEAKCHECK_STATE/build.log"
  if [[ ! -f $LEAKCHECK_BUILD/build.ninja ]]; then
    bootstrap_log "configuring in $LEAKCHECK_BUILD"
    if ! cmake -S "$LEAKCHECK_ROOT" -B "$LEAKCHECK_BUILD" -G Ninja -DLEAKCHECK_WERROR=ON >"$log" 2>&1; then
      cat "$log" >&2
      bootstrap_log "cmake failed"
      exit 2
    fi
  fi
  if ninja -C "$LEAKCHECK_BUILD" -n 2>/dev/null | grep -q '^\['; then
    bootstrap_log "building (ninja -j2)"
  fi
  if ! ninja -C "$LEAKCHECK_BUILD" -j2 >"$log" 2>&1; then
    grep -E 'error|FAILED' -A5 "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
    bootstrap_log "build failed (full log: $log)"
    exit 2
  fi
}

bootstrap_all() {
  bootstrap_packages
  bootstrap_docker
  bootstrap_build
}
