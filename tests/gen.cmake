# cuwatch-genlogs (bench/gen_logs.c): determinism, tree shape, and data the parser accepts.
# Timings are never tested here; bench/parse measures them.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME gen_logs
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_gen.sh $<TARGET_FILE:cuwatch-genlogs>
                 $<TARGET_FILE:cuwatch> ${Python3_EXECUTABLE})
set_tests_properties(gen_logs PROPERTIES LABELS unit TIMEOUT 120)
