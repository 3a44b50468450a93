#!/usr/bin/env bash
# e2e_soak.sh — memory stays flat over 10,000 ingests: files arrive in batches of 1,000
# (10 machine folders x 100 days), each batch waited for in the database, and the daemon's
# resident set size is sampled after each batch. The first batch warms up (libpq, caches,
# the parser's reusable buffers); from the second to the last, RSS may not grow by more than
# 1 MiB. Best run on a Release build (ctest -L soak); under AddressSanitizer its quarantine is
# turned off so RSS still means something, but it takes a few minutes.
# Usage: e2e_soak.sh CUWATCH [FILES]
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
if [ "$CU_E2E_SLACK" = 3 ]; then
    # AddressSanitizer keeps freed memory in a quarantine (256 MiB by default) on purpose;
    # without it, RSS follows the program's own allocations again.
    export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
fi
total=${2:-10000}
batches=$((total / 1000))
e2e_daemon_start
e2e_wait_log 'reconciled' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$DPID/status"; }
echo "RSS at start: $(rss) KiB"
samples=()
for b in $(seq 1 "$batches"); do
    python3 - "$ROOT" "$b" <<'PY'
import datetime, os, sys
root, b = sys.argv[1], int(sys.argv[2])
base = datetime.date(2000, 1, 1) + datetime.timedelta(days=100 * (b - 1))
for m in range(10):
    d = os.path.join(root, f"S{m} (PVC)")
    os.makedirs(d, exist_ok=True)
    for f in range(100):
        day = (base + datetime.timedelta(days=f)).strftime("%Y%m%d")
        with open(os.path.join(d, day + ".LOG"), "w") as fh:
            fh.write("".join(f"{day} 08:{i:02d}:00|@StukUitgevoerd: p{i}\n" for i in range(30)))
PY
    e2e_wait_sql "SELECT count(*) FROM fichier_log" $((b * 1000)) $((120000 * CU_E2E_SLACK)) >/dev/null ||
        e2e_fail "batch $b not ingested"
    samples+=("$(rss)")
done
echo "RSS after each batch of 1,000 (KiB): ${samples[*]}"
[ "$(e2e_sql "SELECT count(*) FROM session_production")" = "$total" ] || e2e_fail "session count"
growth=$((samples[${#samples[@]} - 1] - samples[1]))
echo "growth from batch 2 to batch $batches: $growth KiB"
[ "$growth" -le 1024 ] || e2e_fail "RSS grew by $growth KiB over $((total - 2000)) ingests"
echo PASS
