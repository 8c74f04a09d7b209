# `kiln run` on CUDA plans (ctest -L gpu): inputs copied to device memory, a shape input kept on the host, outputs
# copied back, GPU timing exported; compared with the CPU backend. Skips where there is no CUDA device.
file(MAKE_DIRECTORY ${WORK})

include(${CMAKE_CURRENT_LIST_DIR}/run_kiln.cmake)

# A Reshape whose target is a shape input: the output is the input's bytes, so both backends must agree exactly.
set(SHAPE_MODEL ${DATA}/shape_input/model.onnx)
set(PROFILE --minShapes shape:1x1 --optShapes shape:4x6 --maxShapes shape:24x24)
execute_process(COMMAND ${KILN} build --onnx ${SHAPE_MODEL} ${PROFILE} --backend cuda --saveEngine ${WORK}/cuda.kiln
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 AND "${err}" MATCHES "no CUDA device")
  message("SKIPPED: no CUDA device")
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kiln build --backend cuda: exit ${rc}\n${out}\n${err}")
endif()
run_kiln(0 build --onnx ${SHAPE_MODEL} ${PROFILE} --saveEngine ${WORK}/cpu.kiln)
foreach(target 3x8 24x1 4x6)
  foreach(backend cpu cuda)
    run_kiln(0 run --loadEngine ${WORK}/${backend}.kiln --shapes shape:${target} --iterations 3 --warmUp 1
               --saveOutputs ${WORK}/${backend}_${target} --exportTimes ${WORK}/${backend}_${target}.json
               --dumpProfile)
    expect_text("Profile over 3 runs (median ms per step):")
    expect_text("Output y: ${target} fp32")
    expect_text("warm-up, ${backend})")
  endforeach()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/cpu_${target}/y.npy ${WORK}/cuda_${target}/y.npy
                  RESULT_VARIABLE differ)
  if(differ)
    message(FATAL_ERROR "shape ${target}: the CUDA plan's output differs from the CPU plan's")
  endif()
  file(READ ${WORK}/cuda_${target}.json times)
  string(JSON backend GET "${times}" backend)
  string(JSON count LENGTH "${times}" timesMs)
  string(JSON median GET "${times}" latencyMs median)
  if(NOT backend STREQUAL "cuda" OR NOT count EQUAL 3 OR NOT median GREATER 0)
    message(FATAL_ERROR "unexpected --exportTimes file for shape ${target}:\n${times}")
  endif()
endforeach()

# An ONNX model built on the fly for the GPU, with its input from a .npy file.
run_kiln(0 run --onnx ${DATA}/external_data/model.onnx --backend cuda --shapes x:2x4
           --loadInputs x:${DATA}/external_data/input.npy --iterations 2)
expect_text("Output y: 2x3 fp32")
expect_text("warm-up, cuda)")

# Tactic timings kept in a timing cache file: the first build times the matrix multiply in both profiles and saves
# the winners, the second reuses them and times nothing; `kiln inspect` shows each profile's choice.
set(TWO_PROFILES --minShapes x:1x4 --optShapes x:2x4 --maxShapes x:8x4
                 --profile --minShapes x:16x4 --optShapes x:256x4 --maxShapes x:1024x4)
file(REMOVE ${WORK}/timing.cache)
run_kiln(0 build --onnx ${DATA}/external_data/model.onnx ${TWO_PROFILES} --backend cuda
           --timingCacheFile ${WORK}/timing.cache --saveEngine ${WORK}/timed.kiln)
string(REGEX MATCH "0 layer timings reused, ([1-9][0-9]*) made" made "${OUT}")
if(NOT made)
  message(FATAL_ERROR "the first build should time the matrix multiply:\n${OUT}")
endif()
set(timed ${CMAKE_MATCH_1})
run_kiln(0 build --onnx ${DATA}/external_data/model.onnx ${TWO_PROFILES} --backend cuda
           --timingCacheFile ${WORK}/timing.cache)
expect_text("${timed} layer timings reused, 0 made")
run_kiln(0 inspect ${WORK}/timed.kiln)
expect_text("profile 1 tactic: cublasLt algo")

# --avgTiming 0 times nothing: no tactic progress in the build log, and every step keeps its default (no tactics).
run_kiln(0 build --onnx ${DATA}/external_data/model.onnx ${TWO_PROFILES} --backend cuda --avgTiming 0
           --saveEngine ${WORK}/untimed.kiln)
string(FIND "${OUT}" "candidates, fastest" timed_at)
if(NOT timed_at EQUAL -1)
  message(FATAL_ERROR "--avgTiming 0 should time no tactic:\n${OUT}")
endif()
run_kiln(0 inspect ${WORK}/untimed.kiln)
string(FIND "${OUT}" " tactic: " tactic_at)
if(NOT tactic_at EQUAL -1)
  message(FATAL_ERROR "a plan built with --avgTiming 0 should hold no tactic:\n${OUT}")
endif()

# `kiln compare` on the GPU: the CUDA plans agree with the CPU plan on the shipped models, every intermediate tensor
# compared (fp32: TF32 is off unless asked for; fp16 within fp16's precision); ONNX Runtime too where it is installed.
set(MNIST ${SAMPLES}/models/mnist.onnx)
run_kiln(0 compare ${MNIST} --shapes input:4x1x28x28 --backends cpu,cuda --atol 1e-4 --rtol 1e-3 --markOutputs all)
expect_text("cuda against cpu:")
expect_text("PASS: 10 tensors compared, 0 differ")
run_kiln(0 compare ${DATA}/pytorch_dynamic/model.onnx --loadInputs input:${DATA}/pytorch_dynamic/input_1.npy
           --backends cpu,cuda,cuda:fp16 --atol 0.02 --rtol 0.02 --markOutputs all)
expect_text("PASSED: 2 backends agree with cpu")
run_kiln(0 compare ${SAMPLES}/models/simple_mlp.onnx --shapes input:32x784 --backends cuda,cpu,onnxruntime
           --atol 1e-4 --rtol 1e-3)
expect_text("cpu against cuda:")
if(NOT OUT MATCHES "onnxruntime: skipped")
  expect_text("onnxruntime against cuda:")
  expect_text("PASSED: 2 backends agree with cuda")
endif()
# A plan built for the GPU, loaded and compared with the model built fresh for it.
run_kiln(0 build --onnx ${MNIST} --minShapes input:4x1x28x28 --backend cuda --saveEngine ${WORK}/mnist.kiln)
run_kiln(0 compare ${MNIST} --shapes input:4x1x28x28 --backends cuda --loadEngine ${WORK}/mnist.kiln)
expect_text("PASSED: 1 backend agrees with cuda")
