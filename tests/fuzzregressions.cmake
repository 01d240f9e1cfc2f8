# Inputs that made a libFuzzer target fail (fuzz/regressions/<target>/),
# replayed through the same target code in this build, without libFuzzer
# (fuzz/replaymain.cpp): the target aborts on a contract violation, so the
# test fails if the bug returns. A target gets a test once it has inputs.
set(_fuzz ${PROJECT_SOURCE_DIR}/fuzz)

# gce_add_fuzz_replay(TARGET [LIBS lib...] [SOURCES extra.cpp...])
function(gce_add_fuzz_replay target)
  cmake_parse_arguments(R "" "" "LIBS;SOURCES" ${ARGN})
  file(GLOB inputs CONFIGURE_DEPENDS ${_fuzz}/regressions/${target}/*)
  if(NOT inputs)
    return()
  endif()
  add_executable(replay_${target} ${_fuzz}/${target}.cpp ${_fuzz}/replaymain.cpp ${R_SOURCES})
  set_target_properties(replay_${target} PROPERTIES AUTOMOC OFF)
  target_include_directories(replay_${target} PRIVATE ${PROJECT_SOURCE_DIR} ${_fuzz})
  target_link_libraries(replay_${target} PRIVATE ${R_LIBS})
  add_test(NAME fuzz_regressions_${target} COMMAND replay_${target} ${inputs})
  set_tests_properties(fuzz_regressions_${target} PROPERTIES TIMEOUT 120)
endfunction()

gce_add_fuzz_replay(fuzz_checkpoint LIBS gce_checkpoint)
gce_add_fuzz_replay(fuzz_pickle LIBS gce_checkpoint)
gce_add_fuzz_replay(fuzz_safetensors LIBS gce_checkpoint)
gce_add_fuzz_replay(fuzz_imageloader LIBS gce_imaging)
# The labels parser alone, as in fuzz/CMakeLists.txt.
gce_add_fuzz_replay(fuzz_labels LIBS nlohmann_json::nlohmann_json SOURCES ${PROJECT_SOURCE_DIR}/core/support/labelsfile.cpp)
