# `cmake --install` of this build into a fresh prefix, then a project outside the tree (consumer/) configured with
# find_package(kiln) against that prefix, built, and run; and the installed kiln command run from the prefix moved
# elsewhere.
#   cmake -DBUILD=<build dir> -DWORK=<scratch dir> -DCONSUMER=<consumer source> -DMODEL=<model.onnx>
#         -DGENERATOR=<generator> -DMAKE_PROGRAM=<make program> -DCXX=<C++ compiler> -DLIBDIR=lib -DBINDIR=bin -P ...
set(PREFIX ${WORK}/prefix)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# Every step runs without LD_LIBRARY_PATH: the installed programs must find the installed libraries by themselves.
function(run what expect_text)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH ${ARGN} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (exit ${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  if(expect_text AND NOT "${out}${err}" MATCHES "${expect_text}")
    message(FATAL_ERROR "${what}: expected '${expect_text}' in:\n${out}\n${err}")
  endif()
  set(OUT "${out}${err}" PARENT_SCOPE)
  message(STATUS "${what}: ok")
endfunction()

run("cmake --install" "" ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX})

# What a library user needs is there; what belongs to the build (tests, fuzz targets, samples, the static helper
# libraries they share) is not.
foreach(path ${BINDIR}/kiln ${LIBDIR}/libkiln.so ${LIBDIR}/libkiln_onnx.so include/kiln/kiln.h include/kiln/onnx.h
             ${LIBDIR}/cmake/kiln/kilnConfig.cmake ${LIBDIR}/cmake/kiln/kilnConfigVersion.cmake
             ${LIBDIR}/cmake/kiln/kilnTargets.cmake share/kiln/onnxruntime_runner.py)
  if(NOT EXISTS ${PREFIX}/${path})
    message(FATAL_ERROR "cmake --install did not install ${path}")
  endif()
endforeach()
file(GLOB_RECURSE installed RELATIVE ${PREFIX} ${PREFIX}/*)
foreach(path IN LISTS installed)
  if(path MATCHES "(^|/)(fuzz_|sample_|onnx_conformance|kiln_.*tests|kiln_doc_comments|kiln_preprocessor_demo)|\\.a$")
    message(FATAL_ERROR "cmake --install installed ${path}, which is not part of the library")
  endif()
endforeach()

# The consumer finds this prefix's package (not another kiln on the machine) and builds with warnings as errors.
run("configure the consumer" "" ${CMAKE_COMMAND} -S ${CONSUMER} -B ${WORK}/consumer -G ${GENERATOR}
    -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
file(STRINGS ${WORK}/consumer/CMakeCache.txt kiln_dir REGEX "^kiln_DIR:")
if(NOT kiln_dir STREQUAL "kiln_DIR:PATH=${PREFIX}/${LIBDIR}/cmake/kiln")
  message(FATAL_ERROR "the consumer found kiln elsewhere: ${kiln_dir}")
endif()
run("build the consumer" "" ${CMAKE_COMMAND} --build ${WORK}/consumer)
run("run the consumer" "consumer: ok" ${WORK}/consumer/kiln_consumer ${MODEL})

# The installed command finds the installed libraries through its RPATH, relative to itself: the prefix is moved
# first, so that no path of the install (or of the build tree) can serve.
set(MOVED ${WORK}/moved)
file(RENAME ${PREFIX} ${MOVED})
run("installed kiln --version" "kiln [0-9]+\\.[0-9]+\\.[0-9]+" ${MOVED}/${BINDIR}/kiln --version)
run("installed kiln inspect" "x  FLOAT  \\[batch, 4\\]" ${MOVED}/${BINDIR}/kiln inspect ${MODEL})
find_program(LDD ldd)
if(LDD)
  run("ldd of the installed kiln" "" ${LDD} ${MOVED}/${BINDIR}/kiln)
  foreach(library libkiln libkiln_onnx)
    if(NOT OUT MATCHES "${library}\\.so\\.[0-9]+ => ${MOVED}/[^ ]*${library}\\.so")  # bin/../lib/...
      message(FATAL_ERROR "the installed kiln does not load ${library} from the moved ${LIBDIR}:\n${OUT}")
    endif()
  endforeach()
endif()
