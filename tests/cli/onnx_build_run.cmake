# `kiln inspect model.onnx`, `kiln build` with two profiles, `kiln run` with .npy inputs and outputs, and the errors
# a user meets first (an input without shapes, a shape outside the profile).
file(MAKE_DIRECTORY ${WORK})
set(MODEL ${DATA}/external_data/model.onnx)

include(${CMAKE_CURRENT_LIST_DIR}/run_kiln.cmake)

run_kiln(0 inspect ${MODEL})
expect_text("x  FLOAT  [batch, 4]")
expect_text("MatMul")
expect_text("Every op has an importer.")

run_kiln(0 build --onnx ${MODEL} --minShapes x:1x4 --optShapes x:2x4 --maxShapes x:8x4
         --profile --minShapes x:16x4 --optShapes x:32x4 --maxShapes x:64x4 --saveEngine ${WORK}/model.kiln)
expect_text("2 profile(s)")
run_kiln(0 inspect ${WORK}/model.kiln)
expect_text("x  min 1x4  opt 2x4  max 8x4")
expect_text("x  min 16x4  opt 32x4  max 64x4")
expect_text(", Cast steps 0")

run_kiln(0 run --loadEngine ${WORK}/model.kiln --loadInputs x:${DATA}/external_data/input.npy
         --saveOutputs ${WORK}/outputs --iterations 5)
expect_text("Output y: 2x3 fp32")
expect_text("median")
if(NOT EXISTS ${WORK}/outputs/y.npy)
  message(FATAL_ERROR "kiln run did not save outputs/y.npy")
endif()

run_kiln(1 build --onnx ${MODEL})
expect_text("input has dynamic dimensions -1x4 but profile 0 gives it no shape")
run_kiln(1 run --loadEngine ${WORK}/model.kiln --shapes x:9x4)
expect_text("outside optimization profile 0")
run_kiln(0 run --onnx ${MODEL} --shapes x:3x4 --iterations 2)
expect_text("Output y: 3x3 fp32")

# A shape input (a Reshape's target given as a graph input): the shape flags give its values, as in trtexec.
set(SHAPE_MODEL ${DATA}/shape_input/model.onnx)
run_kiln(1 build --onnx ${SHAPE_MODEL})
expect_text("is a shape input")
run_kiln(0 build --onnx ${SHAPE_MODEL} --minShapes shape:1x1 --optShapes shape:4x6 --maxShapes shape:24x24
         --saveEngine ${WORK}/shape_input.kiln)
run_kiln(0 inspect ${WORK}/shape_input.kiln)
expect_text("shape input values  min [1,1]  opt [4,6]  max [24,24]")
run_kiln(0 run --loadEngine ${WORK}/shape_input.kiln --shapes shape:3x8 --iterations 2)
expect_text("Output y: 3x8 fp32")
run_kiln(1 run --loadEngine ${WORK}/shape_input.kiln --shapes shape:5x5)
expect_text("reshape changes the number of elements [6,4] -> the values of the target shape")
run_kiln(1 run --loadEngine ${WORK}/shape_input.kiln --shapes shape:1x30)
expect_text("value 1 is 30, outside optimization profile 0")

# --exportTimes: every timed run's latency and the summary, as JSON.
run_kiln(0 run --loadEngine ${WORK}/model.kiln --loadInputs x:${DATA}/external_data/input.npy --iterations 7
         --warmUp 1 --exportTimes ${WORK}/times.json)
expect_text("Saved the times to ${WORK}/times.json")
file(READ ${WORK}/times.json times)
string(JSON backend GET "${times}" backend)
string(JSON iterations GET "${times}" iterations)
string(JSON count LENGTH "${times}" timesMs)
string(JSON median GET "${times}" latencyMs median)
if(NOT backend STREQUAL "cpu" OR NOT iterations EQUAL 7 OR NOT count EQUAL 7 OR NOT median GREATER 0)
  message(FATAL_ERROR "unexpected --exportTimes file:\n${times}")
endif()
# --dumpProfile / --exportProfile: every step's median time over as many profiled runs.
run_kiln(0 run --loadEngine ${WORK}/model.kiln --loadInputs x:${DATA}/external_data/input.npy --iterations 3
         --dumpProfile --exportProfile ${WORK}/profile.json)
expect_text("Profile over 3 runs (median ms per step):")
expect_text("Sum of step medians: ")
file(READ ${WORK}/profile.json profile)
string(JSON runs GET "${profile}" runs)
string(JSON steps LENGTH "${profile}" steps)
string(JSON first GET "${profile}" steps 0 medianMs)
if(NOT runs EQUAL 3 OR steps LESS 1 OR first LESS 0)
  message(FATAL_ERROR "unexpected --exportProfile file:\n${profile}")
endif()
run_kiln(1 run --loadEngine ${WORK}/model.kiln --loadInputs x:${DATA}/external_data/input.npy
         --exportTimes ${WORK}/no_such_folder/times.json)
expect_text("i/o error in '${WORK}/no_such_folder/times.json': --exportTimes: the folder '${WORK}/no_such_folder' does not exist")
