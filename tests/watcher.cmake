# watcher module: the pending queue, backoff, path filtering and the inotify watcher (unit),
# and the daemon driven end to end with PostgreSQL and vsftpd (e2e).
cu_unit_test(test_watcher_queue SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watcher_queue.c
  LIBS cu_watcher cu_common)
cu_unit_test(test_watcher_inotify SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watcher_inotify.c
  LIBS cu_watcher cu_common)
cu_unit_test(test_watcher_reconcile SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watcher_reconcile.c
  LIBS cu_watcher cu_db cu_common)

# End to end: the real cuwatch binary against its own throwaway PostgreSQL (pg_harness.sh),
# and vsftpd (vsftpd_harness.sh, root only: exit 77 = skipped) where the upload path matters.
foreach(t ftp burst db_outage db_hang sigkill signals settle reconcile overflow watch_limit
    log_forging password_mode counters gone readonly deadlines idle_kill huge_file latin1_names)
  add_test(NAME e2e_watch_${t}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e_${t}.sh $<TARGET_FILE:cuwatch>)
  set_tests_properties(e2e_watch_${t} PROPERTIES LABELS e2e TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()

# Issue 8's daemon-side hardening (one list per engineer keeps rebases quiet).
foreach(t stop_reason unreadable date_doubts rename rename_copy chaos)
  add_test(NAME e2e_watch_${t}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e_${t}.sh $<TARGET_FILE:cuwatch>)
  set_tests_properties(e2e_watch_${t} PROPERTIES LABELS e2e TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()

# Memory over 10,000 ingests: meaningful without ASan only (its quarantine grows by design).
add_test(NAME e2e_watch_soak
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e_soak.sh $<TARGET_FILE:cuwatch>)
set_tests_properties(e2e_watch_soak PROPERTIES LABELS soak TIMEOUT 1800)
# valgrind and the sanitizers exclude each other.
if(NOT CUWATCH_SANITIZE)
  add_test(NAME e2e_watch_valgrind
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e_valgrind.sh $<TARGET_FILE:cuwatch>)
  set_tests_properties(e2e_watch_valgrind PROPERTIES LABELS e2e TIMEOUT 600 SKIP_RETURN_CODE 77)
endif()
