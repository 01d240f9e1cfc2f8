# Runs one oracle script into its fixture folder (cmake -P; the command of the
# fixture_<name> tests, tests/CMakeLists.txt), and lets a sanitizer build use
# the fixture of another build of the same tree instead of running the script
# again (the zoo fixtures alone are ~2 GB of torch.save output).
#
#   cmake -DPYTHON=... -DSCRIPT=oracle/make_x.py -DOUT=<fixtures>/<name>
#         -DSOURCE_DIR=<tree> [-DREUSE=<other fixtures>/<name>]
#         -P runfixture.cmake [-- script arguments...]
#
# After a successful run, OUT/.oracle-stamp holds a key: the SHA-256 of every
# input the oracle reads (tests/oracle/*.py, which import each other, the
# demo photos, the bundled weights, the interpreter and the arguments). With REUSE, a folder whose
# stamp holds the current key is linked as OUT; any other state (no stamp,
# another key, a run still writing, which removed the stamp first) makes the
# script run here as usual.
cmake_minimum_required(VERSION 3.25)

set(_args "")
set(_after_dashes FALSE)
math(EXPR _last "${CMAKE_ARGC} - 1")
foreach(_i RANGE ${_last})
    if(_after_dashes)
        list(APPEND _args "${CMAKE_ARGV${_i}}")
    elseif(CMAKE_ARGV${_i} STREQUAL "--")
        set(_after_dashes TRUE)
    endif()
endforeach()

file(GLOB _inputs "${SOURCE_DIR}/tests/oracle/*.py" "${SOURCE_DIR}/resources/demo/*"
     "${SOURCE_DIR}/resources/models/*.pth")
list(SORT _inputs)
set(_key "python ${PYTHON}\nscript ${SCRIPT}\nargs ${_args}\n")
foreach(_input IN LISTS _inputs)
    file(SHA256 "${_input}" _hash)
    file(RELATIVE_PATH _rel "${SOURCE_DIR}" "${_input}")
    string(APPEND _key "${_rel} ${_hash}\n")
endforeach()
string(SHA256 _key "${_key}")

# Never write through a link into another build's fixture: drop the link
# first (a folder of our own is regenerated in place, as before).
if(IS_SYMLINK "${OUT}")
    file(REMOVE "${OUT}")
endif()

if(REUSE AND EXISTS "${REUSE}/.oracle-stamp")
    file(READ "${REUSE}/.oracle-stamp" _stamp)
    string(STRIP "${_stamp}" _stamp)
    if(_stamp STREQUAL _key)
        file(REMOVE_RECURSE "${OUT}")
        get_filename_component(_parent "${OUT}" DIRECTORY)
        file(MAKE_DIRECTORY "${_parent}")
        file(CREATE_LINK "${REUSE}" "${OUT}" SYMBOLIC)
        message(STATUS "fixture: reusing ${REUSE} (same oracle inputs)")
        return()
    endif()
    message(STATUS "fixture: ${REUSE} was made from other oracle inputs: running ${SCRIPT}")
endif()

# A run that fails or is killed half-way must not leave a valid stamp behind.
file(REMOVE "${OUT}/.oracle-stamp")
execute_process(COMMAND "${PYTHON}" "${SCRIPT}" "${OUT}" ${_args} RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
    message(FATAL_ERROR "fixture: ${SCRIPT} failed (${_result})")
endif()
file(WRITE "${OUT}/.oracle-stamp" "${_key}\n")
