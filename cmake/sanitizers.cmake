# Sanitizer and fuzzing builds. Included from the top CMakeLists.txt
# before any target is made, so the flags reach every target of ours (the
# libraries in core/ and ui/, the executables, tests, benchmarks) but not the
# imported LibTorch, Qt and OpenCV libraries, which stay uninstrumented.
#
#   -DGCE_SANITIZE=address,undefined   ASan + UBSan (scripts/sanitize, build-asan)
#   -DGCE_SANITIZE=thread              TSan        (scripts/sanitize, build-tsan)
#   -DGCE_FUZZ=ON                      libFuzzer targets in fuzz/ (clang, scripts/fuzz)

set(GCE_SANITIZE "" CACHE STRING "Sanitizers for our targets: empty, address,undefined or thread")
set_property(CACHE GCE_SANITIZE PROPERTY STRINGS "" "address,undefined" "thread")
option(GCE_FUZZ "Build the libFuzzer targets in fuzz/ (clang only)" OFF)

set(GCE_SANITIZE_ADDRESS OFF)
set(GCE_SANITIZE_UNDEFINED OFF)
set(GCE_SANITIZE_THREAD OFF)
if(GCE_SANITIZE STREQUAL "address,undefined")
  set(GCE_SANITIZE_ADDRESS ON)
  set(GCE_SANITIZE_UNDEFINED ON)
elseif(GCE_SANITIZE STREQUAL "thread")
  set(GCE_SANITIZE_THREAD ON)
elseif(NOT GCE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "GCE_SANITIZE must be empty, \"address,undefined\" or \"thread\", not \"${GCE_SANITIZE}\"")
endif()
if(GCE_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "GCE_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()

if(GCE_SANITIZE OR GCE_FUZZ)
  # -O1 (after the build type's -O3, so it wins): instrumented code at -O0 is
  # several times slower and ASan's stack frames grow without the optimiser
  # merging slots, while -O1 still keeps nearly every frame in the report
  # (no aggressive inlining or tail calls), compiles faster than -O2/-O3 and
  # is what the sanitizer documentation recommends. -g1 adds line tables only,
  # so reports name file:line at a fraction of -g's object size.
  add_compile_options(-O1 -g1 -fno-omit-frame-pointer)
endif()

set(_gce_sanitizers "")
if(GCE_SANITIZE)
  set(_gce_sanitizers "${GCE_SANITIZE}")
endif()
if(_gce_sanitizers)
  add_compile_options(-fsanitize=${_gce_sanitizers})
  add_link_options(-fsanitize=${_gce_sanitizers})
endif()
if(GCE_SANITIZE_UNDEFINED)
  # A UBSan finding aborts the program, so the test that hit it fails
  # instead of printing a line nobody reads.
  add_compile_options(-fno-sanitize-recover=undefined)
  add_link_options(-fno-sanitize-recover=undefined)
endif()
if(GCE_FUZZ)
  # Coverage feedback for libFuzzer in every library the targets link; the
  # fuzz executables themselves link -fsanitize=fuzzer (fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
