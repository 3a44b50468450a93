#!/usr/bin/env bash
# Installs, from Debian's archive, everything cuwatch's build, tests and demo need.
# Idempotent: when every package is already there it does nothing (and needs no root).
set -euo pipefail

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

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
