# Tests against a real PostgreSQL server (label `db`): each driver starts its own throwaway
# cluster through tests/pg_harness.sh, so they run in parallel (ctest -j) without sharing.
# One test a line: several engineers add tests here at once.
set(CU_DB_TESTS
    db_examples
    db_legacy
    db_legacy_not_null
    db_counters
    db_stale_read
    db_idempotence
    db_concurrency
    db_crash
    db_config
    db_log_json
    db_log_text
    db_integrity
    db_append
    db_views
    db_big_file
    db_name_collision
    db_earlier_session
    db_memo_abort
)
foreach(t ${CU_DB_TESTS})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${t}.sh)
    add_test(NAME ${t} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${t}.sh $<TARGET_FILE:cuwatch>)
    set(cu_db_env "CU_EXAMPLES_DIR=${CU_EXAMPLES_DIR}" "CU_TEST_DATA=${CMAKE_CURRENT_SOURCE_DIR}/data")
    if(TARGET cuwatch-genlogs)
      list(APPEND cu_db_env "CUWATCH_GENLOGS=$<TARGET_FILE:cuwatch-genlogs>")
    endif()
    set_tests_properties(${t} PROPERTIES LABELS db TIMEOUT 900 ENVIRONMENT "${cu_db_env}")
  endif()
endforeach()

# The pure parts of db/ (formatting, escaping, registry lookup), without a server.
cu_unit_test(test_db SOURCES test_db.c LIBS cu_db)
