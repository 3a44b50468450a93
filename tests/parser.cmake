# The parser and metrics engine (SPEC §1–2) and `cuwatch --parse`.
cu_unit_test(test_parser SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_parser.c LIBS cu_parser cu_common)

find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME parse_examples
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/compare_examples.py
                 $<TARGET_FILE:cuwatch> ${CU_EXAMPLES_DIR})
set_tests_properties(parse_examples PROPERTIES LABELS unit)
cu_unit_test(test_timeline SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_timeline.c LIBS cu_parser cu_common)

# The text rules (common/text.c) against their byte-at-a-time reference (tests/text_ref.c).
cu_unit_test(test_text SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_text.c
                               ${CMAKE_CURRENT_SOURCE_DIR}/text_ref.c LIBS cu_common)

# The command line's usage errors and exit statuses (no database).
add_test(NAME cli_usage
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_usage.sh $<TARGET_FILE:cuwatch>)
set_tests_properties(cli_usage PROPERTIES LABELS unit)

# `--parse` of a device, a FIFO, a pipe: a clear error or the content, never a hang.
add_test(NAME cli_parse_special
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_parse_special.sh $<TARGET_FILE:cuwatch>)
set_tests_properties(cli_parse_special PROPERTIES LABELS unit TIMEOUT 120)
