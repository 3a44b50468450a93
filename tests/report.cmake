# The report and the exports (SPEC §8), label `report`: each driver starts its own PostgreSQL
# (tests/pg_harness.sh via db_lib.sh), ingests the worked example and generated data with the
# real binary, and reads back what users get: the HTML rendered by headless Chromium
# (tests/report_render.py), the CSV parsed as RFC 4180 and as a French Excel would, the
# workbook read with openpyxl.
set(CU_REPORT_TESTS report_html report_export report_edge)
foreach(t ${CU_REPORT_TESTS})
  add_test(NAME ${t} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${t}.sh $<TARGET_FILE:cuwatch>)
  set(cu_report_env "CU_EXAMPLES_DIR=${CU_EXAMPLES_DIR}")
  if(TARGET cuwatch-genlogs)
    list(APPEND cu_report_env "CUWATCH_GENLOGS=$<TARGET_FILE:cuwatch-genlogs>")
  endif()
  set_tests_properties(${t} PROPERTIES LABELS "report;db" TIMEOUT 600 ENVIRONMENT "${cu_report_env}")
endforeach()

# The report's number and time formatting against the libc calls it replaced (unit).
cu_unit_test(test_report_fmt SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report_fmt.c LIBS cu_report)
target_include_directories(test_report_fmt PRIVATE ${PROJECT_SOURCE_DIR}/report)
