#!/usr/bin/env bash
# Installs and starts, idempotently, what switchyard's tests and demo need on a
# Debian host: Docker engine, the compose v2 plugin, a registry on 127.0.0.1:5000,
# the PostgreSQL server binaries and zstd (backups). Safe to run again: every step checks first.
set -euo pipefail

log() { printf '[provision] %s\n' "$*" >&2; }
[ "$(id -u)" -eq 0 ] || { echo "provision: must run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$apt_updated" -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- packages ---------------------------------------------------------------
apt_install docker.io docker-registry busybox-static postgresql-15 postgresql-client-15 postgresql-contrib zstd git ca-certificates curl procps util-linux chromium caddy
# caddy: the demo's and the tests' proxy, run from this host's /usr inside a container (as the test PostgreSQL is).
# age: encrypts off-site copies (offsite.encrypt) and decrypts them by hand (`age -d -i key.txt`).
apt_install age

# --- docker engine ----------------------------------------------------------
docker_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! docker_up; then
  log "starting dockerd"
  mkdir -p /var/log/switchyard-provision
  if command -v systemctl >/dev/null && [ "$(ps -p 1 -o comm=)" = systemd ]; then
    systemctl start docker
  else
    nohup /usr/sbin/dockerd >/var/log/switchyard-provision/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker_up && break; sleep 1; done
  docker_up || { echo "provision: dockerd did not start (see /var/log/switchyard-provision/dockerd.log)" >&2; exit 1; }
fi
log "docker engine $(docker version --format '{{.Server.Version}}')"

# --- compose v2 plugin ------------------------------------------------------
# Not packaged for bookworm; trixie's docker-compose package ships the v2 plugin.
# We download that one .deb and extract the binary, never upgrading the system.
plugin_dir=/usr/local/lib/docker/cli-plugins
if ! docker compose version >/dev/null 2>&1; then
  log "installing the docker compose v2 plugin from Debian trixie"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  uri=$(grep -rhoE '^URIs: *\S+debian/?$' /etc/apt/sources.list.d/ 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -hoE '^deb +\S+debian/? ' /etc/apt/sources.list 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  echo "deb $uri trixie main" >"$work/trixie.list"
  opts=(-o "Dir::Etc::SourceList=$work/trixie.list" -o "Dir::Etc::SourceParts=-" -o "Dir::State::Lists=$work/lists"
        -o "Dir::Cache::Archives=$work/archives" -o "APT::Get::List-Cleanup=0")
  apt-get "${opts[@]}" update -qq
  (cd "$work" && apt-get "${opts[@]}" download docker-compose >/dev/null)
  dpkg -x "$work"/docker-compose_*.deb "$work/x"
  mkdir -p "$plugin_dir"
  install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose"
fi
log "$(docker compose version)"

# --- registry on loopback ---------------------------------------------------
registry_up() { curl -fsS -o /dev/null http://127.0.0.1:5000/v2/ 2>/dev/null; }
if ! registry_up; then
  log "starting docker-registry on 127.0.0.1:5000"
  conf=/etc/switchyard-provision/registry.yml
  mkdir -p /etc/switchyard-provision /var/lib/switchyard-provision/registry
  cat >"$conf" <<'YML'
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: /var/lib/switchyard-provision/registry }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:5000
YML
  nohup docker-registry serve "$conf" >/var/log/switchyard-provision/registry.log 2>&1 &
  for _ in $(seq 1 30); do registry_up && break; sleep 1; done
  registry_up || { echo "provision: registry did not start (see /var/log/switchyard-provision/registry.log)" >&2; exit 1; }
fi
log "registry answering on 127.0.0.1:5000"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
log "postgresql binaries in $pg_bin"
