#!/usr/bin/env bash
# deploy_alerts.sh — deploy/prometheus/cuwatch-alerts.yml is valid (`promtool check rules`)
# and each alert fires when it should and not when it should not (`promtool test rules` on
# tests/prometheus/*.test.yml, which feed it series). Usage: deploy_alerts.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: $0 SOURCE_DIR}
command -v promtool >/dev/null || { echo "promtool missing (Debian package prometheus)" >&2; exit 77; }
promtool check rules "$src/deploy/prometheus/cuwatch-alerts.yml"
promtool test rules "$src"/tests/prometheus/*.test.yml
# Every metric the rules use is one cuwatch exports (a typo would make an alert silently
# never fire): the names are those of the telemetry module's documentation.
known='up cuwatch_build_info cuwatch_files_ingested_total cuwatch_rows_written_total
cuwatch_ingest_duration_seconds cuwatch_pending_files cuwatch_database_up
cuwatch_database_reconnects_total cuwatch_last_ingest_success_timestamp_seconds
cuwatch_machine_last_upload_timestamp_seconds cuwatch_loop_last_iteration_timestamp_seconds'
used=$(grep -E '^\s+expr:|^\s{10,}' "$src/deploy/prometheus/cuwatch-alerts.yml" | grep -v '^\s*#' |
    grep -oE '\b(up|cuwatch_[a-z_]+)\b' | sort -u)
for m in $used; do
    grep -qw -- "$m" <<<"$known" || { echo "FAIL: the rules use $m, which cuwatch does not export" >&2; exit 1; }
done
echo "ok: alert rules valid and tested"
