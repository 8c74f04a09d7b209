# `kiln build --plugins` and `kiln run --plugins`: an ONNX model whose custom-domain node is a plugin of a library
# loaded at run time; without the library the node is unsupported and the plan refused, both naming the plugin.
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/run_kiln.cmake)
set(MODEL ${WORK}/scaled_swish.onnx)
execute_process(COMMAND ${WRITE_MODEL} ${MODEL} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "write_plugin_model failed: ${rc}")
endif()

run_kiln(1 build --onnx ${MODEL} --minShapes x:1x4 --optShapes x:2x4 --maxShapes x:8x4)
expect_text("ScaledSwish")
expect_text("unknown domain 'com.example'")

run_kiln(0 build --onnx ${MODEL} --plugins ${PLUGINS} --minShapes x:1x4 --optShapes x:2x4 --maxShapes x:8x4
         --saveEngine ${WORK}/scaled_swish.kiln)
run_kiln(0 inspect ${WORK}/scaled_swish.kiln --plugins ${PLUGINS})
expect_text("Plugin")

run_kiln(0 run --loadEngine ${WORK}/scaled_swish.kiln --plugins ${PLUGINS} --shapes x:3x4 --iterations 2)
expect_text("Output y: 3x4 fp32")
run_kiln(1 run --loadEngine ${WORK}/scaled_swish.kiln --shapes x:3x4 --iterations 2)
expect_text("plugin 'ScaledSwish' version '1' is not registered")
run_kiln(1 run --loadEngine ${WORK}/scaled_swish.kiln --plugins ${WORK}/scaled_swish.onnx --shapes x:3x4)
expect_text("cannot load the plugin library")
