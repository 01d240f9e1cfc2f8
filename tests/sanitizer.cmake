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
  # The same after QProcess has started a child (tsan_vfork_as_fork.cpp): the
  # race is reported and the child ran.
  gce_add_sanitizer_proof(sanitizer_proof_tsan_qprocess tsan_race_after_qprocess.cpp
                          "WARNING: ThreadSanitizer: data race.*child ran")
  target_sources(sanitizer_proof_tsan_qprocess PRIVATE sanitizer/tsan_vfork_as_fork.cpp)
  target_link_libraries(sanitizer_proof_tsan_qprocess PRIVATE Qt6::Core)
endif()

# Runtime options for every test (and the programs they start, e.g.
# gradcam-cli). Suppressions cover uninstrumented libraries only; each entry
# in the files says which library and why. The fast (frame-pointer) unwinder
# records allocation stacks: the slow one made every LibTorch allocation
# about 3x dearer (one gradcam-cli run: 19 s instead of 6 s), and the leak
# that lsan.supp names (LibTorch's zip reader on a corrupt archive) is met by
# the fuzzer (scripts/fuzz sets the slow unwinder for that target), not by
# the suite.
set(_supp ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer)
set(_env "")
if(GCE_SANITIZE_ADDRESS)
  list(APPEND _env
    "ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1"
    "LSAN_OPTIONS=suppressions=${_supp}/lsan.supp:print_suppressions=0")
endif()
if(GCE_SANITIZE_UNDEFINED)
  list(APPEND _env "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endif()
if(GCE_SANITIZE_THREAD)
  # LibTorch's OpenMP worker threads synchronise inside libgomp, which TSan
  # cannot see; one intra-op thread removes them (GCE_THREADS for programs
  # that configure the runtime, OMP_NUM_THREADS for tests that do not).
  list(APPEND _env
    "TSAN_OPTIONS=suppressions=${_supp}/tsan.supp:second_deadlock_stack=1:print_suppressions=0"
    "GCE_THREADS=1" "OMP_NUM_THREADS=1")
  # OpenCV's cv::parallel_for_ pool (oneTBB) likewise: one thread, set from
  # inside each program (sanitizer/tsan_serial_opencv.cpp says why). And
  # QProcess's vfork-style clone() is made a fork() that TSan handles
  # (sanitizer/tsan_vfork_as_fork.cpp says why): tst_awkwardimages and
  # tst_nothinglost start gradcam-cli and gradcam-explorer.
  get_property(_programs DIRECTORY PROPERTY BUILDSYSTEM_TARGETS)
  list(FILTER _programs EXCLUDE REGEX "^sanitizer_proof_")
  list(APPEND _programs gradcam-cli gradcam-explorer)
  foreach(_program IN LISTS _programs)
    get_target_property(_type ${_program} TYPE)
    if(_type STREQUAL "EXECUTABLE")
      target_sources(${_program} PRIVATE ${_supp}/tsan_serial_opencv.cpp ${_supp}/tsan_vfork_as_fork.cpp)
      target_link_libraries(${_program} PRIVATE ${OpenCV_LIBS})
    endif()
  endforeach()
endif()
# A report fails the test even where it would not change the exit code: in a
# program a test starts and expects to fail (exit 3), or in output a test
# only prints. The proof tests expect their report instead.
set(_reports "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error: |WARNING: ThreadSanitizer")
get_property(_tests DIRECTORY PROPERTY TESTS)
foreach(_test IN LISTS _tests)
  set_property(TEST ${_test} APPEND PROPERTY ENVIRONMENT ${_env})
  if(NOT _test MATCHES "^sanitizer_proof_")
    set_property(TEST ${_test} PROPERTY FAIL_REGULAR_EXPRESSION "${_reports}")
  endif()
endforeach()
