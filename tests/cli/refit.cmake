# `kiln refit`: a plan built with --refit from weights A and refit from a model with weights B runs as the plan
# built from B does, bit for bit; the refit plan saved, reloaded and refit again; one-line refusals.
include(${CMAKE_CURRENT_LIST_DIR}/run_kiln.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${WRITE_MODELS} ${WORK}/a.onnx ${WORK}/b.onnx RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "write_refit_models failed")
endif()

run_kiln(0 build --onnx ${WORK}/a.onnx --refit --saveEngine ${WORK}/a.kiln)
run_kiln(0 build --onnx ${WORK}/b.onnx --refit --saveEngine ${WORK}/b.kiln)
run_kiln(0 refit --loadEngine ${WORK}/a.kiln --onnx ${WORK}/b.onnx --saveEngine ${WORK}/refit.kiln)
expect_text("Refit 8 weights of ${WORK}/a.kiln from ${WORK}/b.onnx; saved ${WORK}/refit.kiln")

foreach(plan a b refit)
  run_kiln(0 run --loadEngine ${WORK}/${plan}.kiln --saveOutputs ${WORK}/out_${plan})
  file(SHA256 ${WORK}/out_${plan}/y.npy ${plan}_hash)
endforeach()
if(NOT refit_hash STREQUAL b_hash)
  message(FATAL_ERROR "the refit plan's output differs from the plan built from the new weights")
endif()
if(refit_hash STREQUAL a_hash)
  message(FATAL_ERROR "the refit plan's output is the old plan's: the weights did not change")
endif()

# Back to A from the refit plan.
run_kiln(0 refit --loadEngine ${WORK}/refit.kiln --onnx ${WORK}/a.onnx --saveEngine ${WORK}/back.kiln)
run_kiln(0 run --loadEngine ${WORK}/back.kiln --saveOutputs ${WORK}/out_back)
file(SHA256 ${WORK}/out_back/y.npy back_hash)
if(NOT back_hash STREQUAL a_hash)
  message(FATAL_ERROR "refit back to the first weights does not give the first plan's output")
endif()

# Refusals, each one line.
run_kiln(0 build --onnx ${WORK}/a.onnx --saveEngine ${WORK}/fixed.kiln)
run_kiln(1 refit --loadEngine ${WORK}/fixed.kiln --onnx ${WORK}/b.onnx --saveEngine ${WORK}/x.kiln)
expect_text("the engine was not built with BuilderFlag::kREFIT (kiln build --refit): its weights cannot be refit")
run_kiln(1 refit --loadEngine ${WORK}/a.kiln --onnx ${SAMPLES}/models/simple_mlp.onnx --saveEngine ${WORK}/x.kiln)
expect_text("the model has no initializer 'bn.bias', a weight of the engine")
run_kiln(1 refit --loadEngine ${WORK}/a.kiln --onnx ${WORK}/b.onnx)
expect_text("--saveEngine is required")
