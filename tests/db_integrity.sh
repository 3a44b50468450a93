#!/usr/bin/env bash
# db_integrity — the detail rows' session integrity (migration 006: statement-level triggers
# instead of per-row foreign keys) behaves like the foreign key it replaces, on every detail
# table (those carrying the cu_detail_check_ins trigger, periode_etat included once it exists):
#  - an orphan row fails with SQLSTATE 23503, by INSERT and by COPY, and so does an UPDATE of
#    session_id to a missing session;
#  - deleting a session deletes its rows in every detail table, and nobody else's;
#  - changing the id of a session that has detail rows fails; TRUNCATE empties the details;
#  - concurrent delete and insert cannot leave an orphan, in both orders, interleaved
#    deterministically (two psql sessions; the second's wait for the first's lock is awaited
#    in pg_stat_activity);
#  - deleting sessions under REPEATABLE READ is refused (the cascade could miss rows there).
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
mkdir -p "$root/INT (PVC)"
cat >"$root/INT (PVC)/20250528.LOG" <<'EOF'
20250528 06:00:00|@MachineStart
20250528 06:00:05|@JobProfiel: R:PVC-1 L:6500 C:wit
20250528 06:01:00|@StukUitgevoerd: p1
20250528 06:02:00|@MachineWait: 30 sec
20250528 06:03:00|@StukUitgevoerd: p2
20250528 06:04:00|@MachineStop
20250528 06:05:00|@MachineStart
20250528 06:06:00|@StukUitgevoerd: p3
EOF
sed 's/20250528/20250529/' "$root/INT (PVC)/20250528.LOG" >"$root/INT (PVC)/20250529.LOG"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
run_cuwatch "$WORK/rescan.out" -c "$cfg" --rescan || { cat "$WORK/rescan.out"; fail "rescan"; }

tables=$(q "SELECT string_agg(tgrelid::regclass::text, ' ' ORDER BY tgrelid::regclass::text)
            FROM pg_trigger WHERE tgname = 'cu_detail_check_ins'")
for t in job_profil periode_arret periode_attente piece_production; do
    case " $tables " in *" $t "*) ;; *) fail "$t has no integrity trigger ($tables)" ;; esac
done
if [ -n "$(q "SELECT to_regclass('periode_etat')")" ]; then
    case " $tables " in *" periode_etat "*) ;; *) fail "periode_etat has no integrity trigger" ;; esac
fi
eq "$(q "SELECT count(*) FROM pg_constraint WHERE contype = 'f'
         AND confrelid = 'session_production'::regclass")" 0 "no per-row foreign key left"
s1=$(q "SELECT id FROM session_production WHERE date_production = '2025-05-28'")
s2=$(q "SELECT id FROM session_production WHERE date_production = '2025-05-29'")
missing=$((s1 + s2 + 1000))

# cols T: the table's columns but id and session_id, for copying one of its rows.
cols() {
    q "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
       FROM information_schema.columns WHERE table_schema = current_schema()
       AND table_name = '$1' AND column_name NOT IN ('id', 'session_id')"
}
# expect_fk OUT WHAT: the statement failed with the foreign key's SQLSTATE and message.
expect_fk() {
    contains "$1" "23503" "$2: SQLSTATE foreign_key_violation"
    contains "$1" "is not present in table \"session_production\"" "$2: the key named"
}
psql_err() { psql -XAtq -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$@"; }

# 1. Orphans fail: INSERT, COPY, UPDATE of session_id; and nothing was written.
for t in $tables; do
    c=$(cols "$t")
    before=$(q "SELECT count(*) FROM $t")
    [ "$before" -gt 0 ] || fail "$t: the test file gave it no row"
    ! psql_err \
        -c "INSERT INTO $t (session_id, $c) SELECT $missing, $c FROM $t LIMIT 1" \
        >"$WORK/ins.out" 2>&1 || fail "$t: orphan INSERT accepted"
    expect_fk "$WORK/ins.out" "$t INSERT"
    q "COPY (SELECT $missing, $c FROM $t LIMIT 1) TO STDOUT" >"$WORK/row.tsv"
    ! psql_err -c "\\copy $t (session_id, $c) FROM '$WORK/row.tsv'" \
        >"$WORK/copy.out" 2>&1 || fail "$t: orphan COPY accepted"
    expect_fk "$WORK/copy.out" "$t COPY"
    # A COPY of many rows of which one is an orphan fails whole.
    q "COPY (SELECT session_id, $c FROM $t UNION ALL SELECT $missing, $c FROM $t) TO STDOUT" \
        >"$WORK/rows.tsv"
    ! psql_err -c "\\copy $t (session_id, $c) FROM '$WORK/rows.tsv'" \
        >"$WORK/copy.out" 2>&1 || fail "$t: COPY with one orphan accepted"
    expect_fk "$WORK/copy.out" "$t COPY with one orphan"
    ! psql_err -c "UPDATE $t SET session_id = $missing
        WHERE id = (SELECT min(id) FROM $t)" >"$WORK/upd.out" 2>&1 ||
        fail "$t: UPDATE of session_id to a missing session accepted"
    expect_fk "$WORK/upd.out" "$t UPDATE"
    eq "$(q "SELECT count(*) FROM $t")" "$before" "$t: nothing written by the failed statements"
    eq "$(q "SELECT count(*) FROM $t WHERE session_id = $missing")" 0 "$t: no orphan"
    # A valid row (NULL session_id too, as a foreign key allows) is accepted.
    q "INSERT INTO $t (session_id, $c) SELECT $s2, $c FROM $t LIMIT 1" >/dev/null
    q "UPDATE $t SET session_id = $s1 WHERE id = (SELECT max(id) FROM $t)" >/dev/null
done
ok "orphan INSERT, COPY and UPDATE fail with 23503 on: $tables"

# 2. The session's id cannot change while it has detail rows.
! psql_err -c "UPDATE session_production SET id = $missing WHERE id = $s1" \
    >"$WORK/sid.out" 2>&1 || fail "renumbering a referenced session accepted"
contains "$WORK/sid.out" "23503" "renumbering: SQLSTATE"
contains "$WORK/sid.out" "is still referenced from table" "renumbering: message"

# 3. Deleting a session deletes its rows in every detail table, and only its rows.
declare -A keep
for t in $tables; do
    [ "$(q "SELECT count(*) FROM $t WHERE session_id = $s1")" -gt 0 ] || fail "$t: no row of $s1"
    keep[$t]=$(q "SELECT count(*) FROM $t WHERE session_id = $s2")
done
q "DELETE FROM session_production WHERE id = $s1" >/dev/null
for t in $tables; do
    eq "$(q "SELECT count(*) FROM $t WHERE session_id = $s1")" 0 "$t: rows of the deleted session"
    eq "$(q "SELECT count(*) FROM $t WHERE session_id = $s2")" "${keep[$t]}" "$t: other session's rows"
done
ok "deleting a session deletes its detail rows"

# The ingest recreates it (and its details) as before.
run_cuwatch "$WORK/rescan2.out" -c "$cfg" --rescan --force || { cat "$WORK/rescan2.out"; fail "rescan"; }
s1=$(q "SELECT id FROM session_production WHERE date_production = '2025-05-28'")
eq "$(q "SELECT count(*) FROM piece_production WHERE session_id = $s1")" 3 "re-ingested pieces"

# 4. Under REPEATABLE READ the cascade could miss rows committed after its snapshot: refused.
! psql_err -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c "DELETE FROM session_production WHERE id = $s1" \
    -c "COMMIT" >"$WORK/rr.out" 2>&1 || fail "DELETE under REPEATABLE READ accepted"
contains "$WORK/rr.out" "deleting sessions needs READ COMMITTED" "REPEATABLE READ refused"
eq "$(q "SELECT count(*) FROM session_production WHERE id = $s1")" 1 "session kept"

# 5. Concurrent delete and insert, both orders. Two psql sessions read their statements from
# FIFOs; a session's wait for the other's lock is awaited in pg_stat_activity.
start_session() { # NAME: psql reading $WORK/NAME.in, writing $WORK/NAME.out
    mkfifo "$WORK/$1.in"
    PGAPPNAME=$1 psql -XAtq -v VERBOSITY=verbose <"$WORK/$1.in" >"$WORK/$1.out" 2>&1 &
}
send() { printf '%s\n' "$2" >&"$1"; }
await_out() { # FILE TEXT: until FILE contains TEXT (30 s)
    local end=$((SECONDS + 30))
    while [ $SECONDS -lt $end ]; do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.01; done
    cat "$1" >&2
    fail "no \"$2\" in $1"
}
await_lock_wait() { # APPNAME: until that session waits for a lock (15 s)
    local end=$((SECONDS + 15))
    while [ $SECONDS -lt $end ]; do
        [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'
                AND wait_event_type = 'Lock'")" = 1 ] && return 0
        sleep 0.01
    done
    fail "$1 never waited for a lock"
}
new_session() { # a fresh session for DATE, echoes its id
    q "INSERT INTO session_production (centre_usinage_id, date_production)
       SELECT id, '$1' FROM centre_usinage LIMIT 1 RETURNING id"
}

# 5a. Insert first, delete second: the delete waits for the inserting transaction's lock, and
# then deletes the rows it committed.
s=$(new_session 2025-06-01)
start_session ins_a
exec 5>"$WORK/ins_a.in"
start_session del_a
exec 6>"$WORK/del_a.in"
send 5 "BEGIN;"
send 5 "INSERT INTO piece_production (session_id, numero_piece) VALUES ($s, 1), ($s, 2);"
send 5 "\\echo inserted"
await_out "$WORK/ins_a.out" inserted
send 6 "DELETE FROM session_production WHERE id = $s;"
send 6 "\\echo deleted"
await_lock_wait del_a
send 5 "COMMIT;"
send 5 "\\echo committed"
await_out "$WORK/ins_a.out" committed
await_out "$WORK/del_a.out" deleted
exec 5>&- 6>&-
lacks "$WORK/del_a.out" "ERROR" "delete after a concurrent insert"
eq "$(q "SELECT count(*) FROM session_production WHERE id = $s")" 0 "5a: session deleted"
eq "$(q "SELECT count(*) FROM piece_production WHERE session_id = $s")" 0 "5a: no orphan"
ok "insert then concurrent delete: the delete waits and removes the committed rows"

# 5b. Delete first, insert second: the insert's check waits for the deleting transaction, then
# finds no session and fails.
s=$(new_session 2025-06-02)
start_session del_b
exec 5>"$WORK/del_b.in"
start_session ins_b
exec 6>"$WORK/ins_b.in"
send 5 "BEGIN;"
send 5 "DELETE FROM session_production WHERE id = $s;"
send 5 "\\echo deleted"
await_out "$WORK/del_b.out" deleted
send 6 "INSERT INTO piece_production (session_id, numero_piece) VALUES ($s, 1);"
send 6 "\\echo inserted"
await_lock_wait ins_b
send 5 "COMMIT;"
send 5 "\\echo committed"
await_out "$WORK/del_b.out" committed
await_out "$WORK/ins_b.out" inserted
exec 5>&- 6>&-
contains "$WORK/ins_b.out" "23503" "5b: the insert fails as a foreign key would"
eq "$(q "SELECT count(*) FROM piece_production WHERE session_id = $s")" 0 "5b: no orphan"
ok "delete then concurrent insert: the insert waits and fails"

# 6. TRUNCATE session_production empties the detail tables with it (no orphan left).
q "TRUNCATE session_production" >/dev/null
for t in $tables; do
    eq "$(q "SELECT count(*) FROM $t")" 0 "$t after TRUNCATE session_production"
done
ok "TRUNCATE session_production truncates the detail tables"
