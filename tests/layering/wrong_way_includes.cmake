# A wrong-way include fails the build: each case compiles one #include with the include view of a layer (what the
# layer's sources are compiled with) and checks that it fails, or, for the controls, that it compiles.
# Usage: cmake -DCXX=<compiler> -DVIEWS=<build>/layer_views -DWORK=<scratch folder> -P wrong_way_includes.cmake
set(cases
  # layer            header                              expected
  "plan             graph/graph.h                       fail"   # the plan (and so the runtime) never sees the IR
  "graph            backends/common/backend.h           fail"
  "runtime          graph/graph.h                       fail"
  "runtime          kiln/builder.h                      fail"
  "backends_common  backends/cpu/cpu_kernel.h           fail"
  "backend_cpu      kiln/builder.h                      fail"   # flags the kernels read are in the plan
  "backend_cpu      graph/graph.h                       fail"
  "backend_cpu      backends/registry.h                 fail"
  "builder          runtime/engine_state.h              fail"
  "builder          backends/cpu/cpu_kernel.h           fail"   # the builder reaches backends through the registry
  "builder          backends/cuda/cuda_check.h          fail"
  "runtime          backends/cpu/cpu_kernel.h           fail"
  "onnx             plan/plan.h                         fail"
  "plan             plan/plan.h                         pass"   # controls: a layer's own and its uses' headers
  "backend_cpu      backends/common/strided_iteration.h pass"
  "builder          graph/graph.h                       pass"
  "runtime          backends/registry.h                 pass"
  "backend_cuda     backends/cpu/cpu_kernel.h           fail"   # the backends share backends/common, not each other
  "backend_cuda     graph/graph.h                       fail"
  "backend_cuda     backends/common/strided_iteration.h pass")

include(${CMAKE_CURRENT_LIST_DIR}/../compile_case.cmake)
file(MAKE_DIRECTORY ${WORK})
set(failures 0)
foreach(case IN LISTS cases)
  string(REGEX REPLACE " +" ";" fields "${case}")
  list(GET fields 0 layer)
  list(GET fields 1 header)
  list(GET fields 2 expected)
  set(source ${WORK}/wrong_way_${layer}.cpp)
  file(WRITE ${source} "#include \"${header}\"\n")
  compile_case(got ${source} "No such file or directory|file not found" -I${VIEWS}/${layer})
  if(got STREQUAL expected)
    message(STATUS "ok: layer ${layer} including ${header}: ${expected}")
  else()
    message(SEND_ERROR "layer ${layer} including ${header}: expected ${expected}, got ${got}")
    math(EXPR failures "${failures} + 1")
  endif()
endforeach()
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} layering case(s) wrong")
endif()
