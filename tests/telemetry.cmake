# telemetry module: the Prometheus rendering (unit), and the daemon's notify protocol,
# /metrics and /healthz driven end to end (e2e: real PostgreSQL, vsftpd, promtool, curl).
cu_unit_test(test_telemetry SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_telemetry.c
  LIBS cu_telemetry cu_common)
foreach(t notify metrics)
  add_test(NAME e2e_telemetry_${t}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e_${t}.sh $<TARGET_FILE:cuwatch>)
  set_tests_properties(e2e_telemetry_${t} PROPERTIES LABELS e2e TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()
