# config module: YAML loading, lookup order, machine resolution, libpq parameters.
cu_unit_test(test_config SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_config.c LIBS cu_config cu_common)
