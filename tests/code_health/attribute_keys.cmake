# Attribute keys are declared once, with their types, in the op schemas (src/ops): anywhere else a key built from a
# string literal (IntAttr{"axis"}, EnumAttr<T>{"mode"}, setValue("axis", ...)) would bypass them.
# Usage: cmake -DROOT=<source tree> -P attribute_keys.cmake       scans src/ (but src/ops/), tools/, tests/, samples/
#        cmake -DWORK=<scratch folder> -DSELF_TEST=ON -P ...      checks that the scan catches planted literals
# A key type (IntAttr, EnumAttr<T>, ...), a variable's name if one is declared, then a literal as the first argument.
set(key_from_literal
    [=[(Int|Float|Bool|Ints|Floats|String|Exprs|Enum|Value|List)Attr(<[^({;]*>)?[ 	]*[A-Za-z0-9_]*[ 	]*[({][ 	]*"]=])
set(untyped_from_literal [=[setValue[ 	]*\([ 	]*"]=])

# Sets `out` to "file: match" for each literal key under `root` outside src/ops.
function(literal_keys root out)
  file(GLOB_RECURSE sources LIST_DIRECTORIES false
       ${root}/src/*.h ${root}/src/*.cpp ${root}/src/*.cu ${root}/src/*.cuh
       ${root}/tools/*.h ${root}/tools/*.cpp ${root}/tests/*.h ${root}/tests/*.cpp ${root}/tests/*.cu
       ${root}/samples/*.h ${root}/samples/*.cpp)
  set(found)
  foreach(source IN LISTS sources)
    file(RELATIVE_PATH relative ${root} ${source})
    if(relative MATCHES "^src/ops/")
      continue()
    endif()
    file(READ ${source} text)
    foreach(pattern IN ITEMS "${key_from_literal}" "${untyped_from_literal}")
      string(REGEX MATCHALL "${pattern}" matches "${text}")
      foreach(match IN LISTS matches)
        list(APPEND found "${relative}: ${match}")
      endforeach()
    endforeach()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

if(SELF_TEST)
  file(REMOVE_RECURSE ${WORK})
  file(WRITE ${WORK}/src/ops/planted.h "static constexpr IntAttr kAxis{\"axis\"};\n")  # a schema: allowed
  file(WRITE ${WORK}/src/builder/planted.cpp "layer.attrs.set(ops::IntAttr{\"axis\"}, 1);\n")
  file(WRITE ${WORK}/tools/planted.cpp "constexpr ops::EnumAttr<DataType> key(\"type\", DataType::kFLOAT);\n")
  file(WRITE ${WORK}/tests/planted.cpp "step.attrs.setValue(\"blob\", int64_t{0});\n")
  file(WRITE ${WORK}/samples/clean.cpp "layer.attrs.set(ops::Gather::kAxis, 1);  // \"axis\"\n")
  literal_keys(${WORK} found)
  list(SORT found)
  set(expected "src/builder/planted.cpp: IntAttr{\"" "tests/planted.cpp: setValue(\""
               "tools/planted.cpp: EnumAttr<DataType> key(\"")
  list(SORT expected)
  if(NOT found STREQUAL expected)
    message(FATAL_ERROR "the scan found [${found}], expected [${expected}]")
  endif()
  message(STATUS "the scan caught each planted literal key and nothing else")
  return()
endif()

literal_keys(${ROOT} found)
if(found)
  list(JOIN found "\n  " listed)
  message(FATAL_ERROR "attribute keys from string literals outside src/ops (declare them in the op's schema):\n  "
                      "${listed}")
endif()
message(STATUS "no attribute key from a string literal outside src/ops")
