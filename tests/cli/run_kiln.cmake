# Helpers for the CLI tests: run_kiln(expected_exit_code args...) runs ${KILN} and keeps its output in OUT;
# expect_text(text) requires text in OUT.
function(run_kiln expect_rc)
  execute_process(COMMAND ${KILN} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "kiln ${ARGN}: exit ${rc}, expected ${expect_rc}\n${out}\n${err}")
  endif()
  set(OUT "${out}${err}" PARENT_SCOPE)
endfunction()

function(expect_text text)
  string(FIND "${OUT}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected '${text}' in:\n${OUT}")
  endif()
endfunction()
