# The doc-comment check's self-test: run on a header with planted undocumented declarations, the check must fail
# and report exactly the declarations planted_undocumented.expected lists.
# Usage: cmake -DCHECK=<kiln_doc_comments> -DDIR=<this folder> -P planted_undocumented.cmake
execute_process(COMMAND ${CHECK} planted_undocumented.h WORKING_DIRECTORY ${DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(READ ${DIR}/planted_undocumented.expected expected)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "the check should fail (exit status 1) on planted undocumented declarations, got '${rc}':\n${out}${err}")
endif()
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "the check reported\n${out}\ninstead of\n${expected}")
endif()
message(STATUS "the check reports every planted undocumented declaration and nothing else")
