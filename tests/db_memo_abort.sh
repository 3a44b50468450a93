#!/usr/bin/env bash
# db_memo_abort.sh — an append the daemon writes from its last commit's memory (one pipelined
# transaction) that fails under a lock held elsewhere (lock_timeout) must leave the connection
# usable: rolled back, the file retried and committed once the lock is gone, and no
# "current transaction is aborted" for it or any later statement.
# Usage: db_memo_abort.sh CUWATCH
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"
rel='APP (PVC)/20250310.LOG'
mkdir -p "$WORK/root/APP (PVC)"
file=$WORK/root/$rel
printf '20250310 06:00:00|@StukUitgevoerd: 1\r\n20250310 06:10:00|@StukUitgevoerd: 2\r\n' >"$file"
write_config "$WORK/c.yaml" "$WORK/root"
sed -i "s/user=$PGUSER\"/user=$PGUSER options='-c lock_timeout=1000'\"/" "$WORK/c.yaml"
grep -q "lock_timeout=1000" "$WORK/c.yaml" || fail "config not written"
start_daemon "$WORK/c.yaml" "$WORK/daemon.log"
await_committed "$rel" "$file" "$WORK/daemon.log"

# Another session holds the file's advisory lock for 3 s while the append arrives.
psql -XAtq -c "SELECT pg_advisory_lock(hashtextextended('$rel', 0))" -c "SELECT pg_sleep(3)" \
    >/dev/null &
holder=$!
end=$((SECONDS + 10))
until [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
              AND pid <> pg_backend_pid()")" -ge 1 ]; do
    [ $SECONDS -lt $end ] || fail "the lock was never taken"
    sleep 0.05
done
printf '20250310 06:20:00|@StukUitgevoerd: 3\r\n' >>"$file"
end=$((SECONDS + 20))
until grep -q 'lock timeout' "$WORK/daemon.log"; do
    [ $SECONDS -lt $end ] || { cat "$WORK/daemon.log"; fail "the append never met the lock"; }
    sleep 0.05
done
wait "$holder"
await_committed "$rel" "$file" "$WORK/daemon.log" 30
eq "$(q "SELECT total_pieces FROM session_production")" 3 "pieces after the retry"
lacks "$WORK/daemon.log" "current transaction is aborted" "the connection after the failed append"
ok "a failed append from memory is rolled back and retried"
