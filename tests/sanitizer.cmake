# Sanitizer builds (GCE_SANITIZE, cmake/sanitizers.cmake): proof that each
# sanitizer is really active, and the runtime options every test runs with.
# Included last, so that the options reach every test registered above.
if(NOT GCE_SANITIZE)
  return()
endif()

# gce_add_sanitizer_proof(NAME source.cpp REPORT regex): a tiny program with a
# deliberate fault; the test passes only if the sanitizer's report appears
# (exit code ignored), so a build without the sanitizer fails it.
function(gce_add_sanitizer_proof name source report)
  add_executable(${name} sanitizer/${source})
  set_target_properties(${name} PROPERTIES AUTOMOC OFF)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${report}" TIMEOUT 60)
endfunction()

if(GCE_SANITIZE_ADDRESS)
  gce_add_sanitizer_proof(sanitizer_proof_asan asan_heap_overflow.cpp "ERROR: AddressSanitizer: heap-buffer-overflow")
endif()
if(GCE_SANITIZE_UNDEFINED)
  gce_add_sanitizer_proof(sanitizer_proof_ubsan ubsan_signed_overflow.cpp "runtime error: signed integer overflow")
endif()
if(GCE_SANITIZE_THREAD)
  gce_add_sanitizer_proof(sanitizer_proof_tsan tsan_data_race.cpp "WARNING: ThreadSanitizer: data race")
endif()

# Runtime options for every test (and the programs they start, e.g.
# gradcam-cli). Suppressions cover uninstrumented libraries only; each entry
# in the files says which library and why. fast_unwind_on_malloc=0: LibTorch
# has no frame pointers, so only the slow unwinder sees the library frames
# that lsan.supp names.
set(_supp ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer)
set(_env "")
if(GCE_SANITIZE_ADDRESS)
  list(APPEND _env
    "ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:check_initialization_order=1"
    "LSAN_OPTIONS=suppressions=${_supp}/lsan.supp:print_suppressions=0")
endif()
if(GCE_SANITIZE_UNDEFINED)
  list(APPEND _env "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endif()
if(GCE_SANITIZE_THREAD)
  # LibTorch's OpenMP worker threads synchronise inside libgomp, which TSan
  # cannot see; one intra-op thread removes them (GCE_THREADS for programs
  # that configure the runtime, OMP_NUM_THREADS for tests that do not).
  # OpenCV's cv::parallel_for_ pool (our PIL resize) likewise: one thread.
  list(APPEND _env
    "TSAN_OPTIONS=suppressions=${_supp}/tsan.supp:second_deadlock_stack=1:print_suppressions=0"
    "GCE_THREADS=1" "OMP_NUM_THREADS=1" "OPENCV_FOR_THREADS_NUM=1")
endif()
get_property(_tests DIRECTORY PROPERTY TESTS)
foreach(_test IN LISTS _tests)
  set_property(TEST ${_test} APPEND PROPERTY ENVIRONMENT ${_env})
endforeach()
