#!/usr/bin/env bash
# Installs, from Debian's archive, everything cuwatch's build and tests need.
# Idempotent: when every package is already there it does nothing (and needs no root).
#
#   scripts/deps.sh          the build, every test, the benchmarks (what CI installs)
#   scripts/deps.sh --demo   only what scripts/demo.sh uses: the build's libraries and
#                            PostgreSQL's server *binaries* (the demo runs its own throwaway
#                            server). No system service is created, enabled or started: no
#                            "main" cluster (create_main_cluster = false in
#                            /etc/postgresql-common/createcluster.d, written before the
#                            install), no vsftpd, and a policy-rc.d refuses every service start
#                            while apt runs.
# CUWATCH_DEPS_DRY_RUN=1 prints what would be done instead of doing it.
set -euo pipefail
mode=${1:-all}
case $mode in all | --demo) ;; *) echo "usage: $0 [--demo]" >&2; exit 2 ;; esac

demo_packages=(
  build-essential cmake pkg-config
  libpq-dev libyaml-dev libssl-dev libsystemd-dev libmicrohttpd-dev libxlsxwriter-dev
  postgresql postgresql-client               # initdb, pg_ctl, psql: the demo's own server
)

packages=(
  build-essential cmake pkg-config          # the build
  libpq-dev libyaml-dev libssl-dev           # libpq, libyaml, libcrypto (content hashes)
  libcmocka-dev                              # unit tests
  clang libclang-rt-14-dev                   # the libFuzzer target
  postgresql postgresql-client               # db tests and the demo run a real server
  vsftpd lftp curl                           # e2e tests upload through a real FTP server
  python3 python3-yaml                       # test drivers (JSON comparison, e2e, compose check)
  valgrind inotify-tools procps util-linux   # memory checks, the latency reference, ps
  systemd                                    # systemd-analyze verify on the unit
  dpkg-dev                                   # cpack's .deb: dpkg-shlibdeps computes Depends
  man-db groff-base                          # the man pages checked with man --warnings, groff -ww
  libsystemd-dev                             # sd_notify: READY, STATUS, WATCHDOG (issue 10)
  libmicrohttpd-dev                          # the optional /metrics and /healthz endpoint
  prometheus                                 # promtool: checks /metrics output and alert rules
  libxlsxwriter-dev                          # --export --format xlsx
  chromium fonts-dejavu-core                 # the HTML report rendered and measured headless
  python3-openpyxl poppler-utils             # the workbook read back; the printed PDF checked
)

[ "$mode" = --demo ] && packages=("${demo_packages[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# A dry run prints each command, and what a tee would write. Files are written from here-
# documents, not pipes: a dry run's stand-in does not have to read a pipe to the end (a
# writer left with a closed pipe dies of SIGPIPE, and pipefail fails the script).
dry_run() {
  echo "would run: $*"
  if [ "$1" = tee ] || [ "${2:-}" = tee ]; then sed 's/^/  | /'; fi
}
[ "${CUWATCH_DEPS_DRY_RUN:-}" = 1 ] && sudo="dry_run${sudo:+ $sudo}"
echo "installing: ${missing[*]}" >&2
policy=""
if [ "$mode" = --demo ]; then
  # Before the install: postgresql-common's createcluster.conf includes this folder, so the
  # server package's postinst creates no cluster; and no service starts meanwhile.
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  $sudo tee /etc/postgresql-common/createcluster.d/50-cuwatch-demo.conf <<'EOF'
create_main_cluster = false
EOF
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    $sudo tee "$policy" <<'EOF'
#!/bin/sh
# scripts/deps.sh --demo: no service starts while it installs
exit 101
EOF
    $sudo chmod 0755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
