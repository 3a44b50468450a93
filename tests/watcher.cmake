# watcher module: the pending queue, backoff, path filtering and the inotify watcher (unit),
# and the daemon driven end to end with PostgreSQL and vsftpd (e2e).
cu_unit_test(test_watcher_queue SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watcher_queue.c
  LIBS cu_watcher cu_common)
cu_unit_test(test_watcher_inotify SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watcher_inotify.c
  LIBS cu_watcher cu_common)
