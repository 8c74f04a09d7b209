# For the tests that check what compiles (layering/wrong_way_includes.cmake, api/internals_unreachable.cmake).
# compile_case(<result> <source> <reason> <compiler flags>...): compiles `source` with ${CXX} -fsyntax-only and sets
# <result> to "pass" when it compiles, "fail" when an error matches the regular expression `reason`, and
# "fail for another reason: <errors>" otherwise.
function(compile_case result source reason)
  execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only ${ARGN} ${source}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    set(${result} pass PARENT_SCOPE)
  elseif(err MATCHES "${reason}")
    set(${result} fail PARENT_SCOPE)
  else()
    set(${result} "fail for another reason: ${err}" PARENT_SCOPE)
  endif()
endfunction()
