# Fuzzing of the LOG parser: tests/fuzz_logfile.c is the target (any bytes in, invariants out).
#
# CUWATCH_FUZZ=ON with clang: fuzz_logfile is a real libFuzzer binary. libFuzzer can only
#   guide itself through code built with its coverage instrumentation, so the parser and
#   common sources are compiled into the target itself, with the fuzzer and sanitizer flags,
#   instead of linking the uninstrumented cu_parser and cu_common libraries.
# Otherwise: fuzz_driver (tests/fuzz_driver.c) replays a corpus and deterministic mutants of
#   it through the same target, so the everyday gcc ASan/UBSan run checks the invariants too.
#
# Tests:
#   fuzz_logfile_smoke      (unit) a few thousand inputs, deterministic, seconds; always there
#   fuzz_logfile_libfuzzer  (fuzz) 30 s of real libFuzzer; only with CUWATCH_FUZZ=ON
# Both work on a temporary corpus: the worked examples plus a few generated files (libFuzzer
# writes into its corpus directory, and tests must not write to the source tree).
# bench/fuzz.sh runs the long sessions.

set(CU_FUZZ_LIBFUZZER OFF)
if(CUWATCH_FUZZ)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    set(CU_FUZZ_LIBFUZZER ON)
  else()
    message(WARNING "CUWATCH_FUZZ needs clang (configure with CC=clang); "
                    "building the replay driver instead of the libFuzzer target")
  endif()
endif()

if(CU_FUZZ_LIBFUZZER)
  set(cu_fuzz_sources ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_logfile.c)
  foreach(lib cu_parser cu_common)
    get_target_property(lib_dir ${lib} SOURCE_DIR)
    get_target_property(lib_sources ${lib} SOURCES)
    foreach(src ${lib_sources})
      if(IS_ABSOLUTE "${src}")
        list(APPEND cu_fuzz_sources ${src})
      else()
        list(APPEND cu_fuzz_sources ${lib_dir}/${src})
      endif()
    endforeach()
  endforeach()
  add_executable(fuzz_logfile ${cu_fuzz_sources})
  target_include_directories(fuzz_logfile PRIVATE
    $<TARGET_PROPERTY:cu_parser,INTERFACE_INCLUDE_DIRECTORIES>
    $<TARGET_PROPERTY:cu_common,INTERFACE_INCLUDE_DIRECTORIES>)
  target_compile_options(fuzz_logfile PRIVATE
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(fuzz_logfile PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_logfile PRIVATE m)
  set(cu_fuzz_runner $<TARGET_FILE:fuzz_logfile>)
  set(cu_fuzz_mode libfuzzer)
else()
  add_executable(fuzz_driver ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_driver.c
                             ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_logfile.c)
  target_link_libraries(fuzz_driver PRIVATE cu_parser cu_common m)
  set(cu_fuzz_runner $<TARGET_FILE:fuzz_driver>)
  set(cu_fuzz_mode driver)
endif()

# run_fuzz MODE RUNNER GENLOGS EXAMPLES ARTIFACTS -- ARGS...: builds the temporary corpus
# (examples' LOG files and generated days small enough for -max_len) and runs the target.
set(cu_fuzz_script [=[
set -eu
mode=$1 runner=$2 genlogs=$3 examples=$4 artifacts=$5
shift 5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/gen"
i=0
for f in "$examples"/*/*.LOG; do i=$((i + 1)); cp "$f" "$work/corpus/example$i.LOG"; done
"$genlogs" --out "$work/gen" --machines 5 --days 2 --lines 300 --seed 11 > /dev/null
i=0
for f in "$work"/gen/*/*.LOG; do i=$((i + 1)); cp "$f" "$work/corpus/gen$i.LOG"; done
if [ "$mode" = driver ]; then
  "$runner" "$@" "$work/corpus"
  exit 0
fi
mkdir -p "$artifacts"
"$runner" -max_len=65536 -timeout=10 -artifact_prefix="$artifacts/" "$@" "$work/corpus"
]=])

if(cu_fuzz_mode STREQUAL "driver")
  set(cu_fuzz_smoke_args -n 3000 -s 1)
else()
  set(cu_fuzz_smoke_args -runs=3000 -seed=1)
endif()
add_test(NAME fuzz_logfile_smoke
         COMMAND sh -c "${cu_fuzz_script}" run_fuzz ${cu_fuzz_mode} ${cu_fuzz_runner}
                 $<TARGET_FILE:cuwatch-genlogs> ${CU_EXAMPLES_DIR}
                 ${CMAKE_BINARY_DIR}/fuzz-artifacts ${cu_fuzz_smoke_args})
set_tests_properties(fuzz_logfile_smoke PROPERTIES LABELS unit TIMEOUT 300)

if(CU_FUZZ_LIBFUZZER)
  add_test(NAME fuzz_logfile_libfuzzer
           COMMAND sh -c "${cu_fuzz_script}" run_fuzz libfuzzer ${cu_fuzz_runner}
                   $<TARGET_FILE:cuwatch-genlogs> ${CU_EXAMPLES_DIR}
                   ${CMAKE_BINARY_DIR}/fuzz-artifacts -max_total_time=30 -print_final_stats=1)
  set_tests_properties(fuzz_logfile_libfuzzer PROPERTIES LABELS fuzz TIMEOUT 180)
endif()
