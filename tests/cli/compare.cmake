# `kiln compare`: the shipped models agree across kiln's CPU paths (fused and unfused, fp32 and fp16, built fresh and
# loaded from a plan file), a plan whose weights were altered is caught and its first diverging layer named, the
# onnxruntime backend runs through Python (a numpy stand-in for ONNX Runtime here; the real one where installed) or
# is skipped with a message, and wrong arguments are refused in one line.
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/run_kiln.cmake)

# Every "max abs" and "max rel" the report printed must be 0.
function(expect_exact_agreement)
  string(REGEX MATCHALL "max (abs|rel) [^ \n]+" errors "${OUT}")
  list(LENGTH errors count)
  if(count EQUAL 0)
    message(FATAL_ERROR "no errors printed:\n${OUT}")
  endif()
  foreach(error ${errors})
    if(NOT error MATCHES " 0$")
      message(FATAL_ERROR "expected exact agreement, found '${error}':\n${OUT}")
    endif()
  endforeach()
endfunction()

set(MNIST ${SAMPLES}/models/mnist.onnx)
set(MNIST_SHAPES --shapes input:2x1x28x28)
set(DYNAMIC ${DATA}/pytorch_dynamic/model.onnx)
set(DYNAMIC_INPUT --loadInputs input:${DATA}/pytorch_dynamic/input_1.npy)
set(MATMUL ${DATA}/external_data/model.onnx)
set(MATMUL_SHAPES --shapes x:3x4)
set(MLP ${SAMPLES}/models/simple_mlp.onnx)
set(MLP_SHAPES --shapes input:5x784)
set(RESHAPE ${DATA}/shape_input/model.onnx)
set(RESHAPE_SHAPES --shapes shape:3x8)

# fp32 against fp16 on the CPU, with and without every intermediate tensor compared.
foreach(model MNIST DYNAMIC MATMUL MLP RESHAPE)
  set(inputs ${${model}_SHAPES} ${${model}_INPUT})
  run_kiln(0 compare ${${model}} ${inputs} --backends cpu,cpu:fp16 --atol 0.02 --rtol 0.02)
  expect_text("cpu:fp16 against cpu:")
  expect_text("PASSED: 1 backend agrees with cpu")
  run_kiln(0 compare ${${model}} ${inputs} --backends cpu,cpu:fp16 --atol 0.02 --rtol 0.02 --markOutputs all)
  expect_text("PASSED: 1 backend agrees with cpu")
endforeach()
run_kiln(0 compare ${DYNAMIC} ${DYNAMIC_INPUT} --backends cpu,cpu:fp16 --atol 0.02 --rtol 0.02 --markOutputs all)
expect_text("PASS  /conv3/Conv_output_0  3x16x16x12 fp32")
expect_text("PASS  /Shape_output_0  4 int64  max abs 0  max rel 0")
expect_text("PASS: 21 tensors compared, 0 differ")

# A plan saved by `kiln build` against the model built fresh: the same steps, the same numbers exactly. A plan built
# with every tensor marked (fusions off) against the fused model: the outputs agree too.
run_kiln(0 build --onnx ${MNIST} --minShapes input:2x1x28x28 --saveEngine ${WORK}/mnist.kiln)
run_kiln(0 compare ${MNIST} ${MNIST_SHAPES} --loadEngine ${WORK}/mnist.kiln)
expect_text("${WORK}/mnist.kiln against cpu:")
expect_text("PASS  logits  2x10 fp32  max abs 0  max rel 0")
expect_exact_agreement()
run_kiln(0 build --onnx ${MNIST} --minShapes input:1x1x28x28 --maxShapes input:4x1x28x28 --markOutputs all
         --saveEngine ${WORK}/mnist_marked.kiln)
expect_text("Marked 9 intermediate tensors as outputs (--markOutputs all)")
run_kiln(0 compare ${MNIST} ${MNIST_SHAPES} --loadEngine ${WORK}/mnist_marked.kiln)
expect_text("PASS  logits  2x10 fp32")
run_kiln(0 compare ${MNIST} ${MNIST_SHAPES} --loadEngine ${WORK}/mnist_marked.kiln --markOutputs all)
expect_text("PASS  /MaxPool_1_output_0  2x16x7x7 fp32  max abs 0  max rel 0")
expect_exact_agreement()
run_kiln(0 build --onnx ${DYNAMIC} --minShapes input:1x3x16x16 --optShapes input:3x3x32x24
         --maxShapes input:4x3x48x48 --markOutputs all --saveEngine ${WORK}/dynamic_marked.kiln)
run_kiln(0 compare ${DYNAMIC} ${DYNAMIC_INPUT} --loadEngine ${WORK}/dynamic_marked.kiln --markOutputs all)
expect_exact_agreement()

# The weights of the second convolution altered in the plan (checksum recomputed): the first convolution still
# agrees, everything from the second on differs, and the second is named as the first diverging layer.
execute_process(COMMAND ${ALTER} ${WORK}/mnist_marked.kiln ${WORK}/mnist_wrong.kiln conv2.weight RESULT_VARIABLE rc
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "alter_plan_weights failed: ${err}")
endif()
run_kiln(2 compare ${MNIST} ${MNIST_SHAPES} --loadEngine ${WORK}/mnist_wrong.kiln --markOutputs all)
expect_text("PASS  /MaxPool_output_0  2x8x14x14 fp32  max abs 0  max rel 0")
expect_text("FAIL  /conv2/Conv_output_0  2x16x14x14 fp32")
expect_text("FAIL  logits  2x10 fp32")
expect_text("First divergence: tensor '/conv2/Conv_output_0', made by layer '/conv2/Conv' (Conv)")
expect_text("FAILED: 1 of 1 backends differ from cpu")
# Without the intermediate tensors only the output is compared; the mismatch is still caught.
run_kiln(2 compare ${MNIST} ${MNIST_SHAPES} --loadEngine ${WORK}/mnist_wrong.kiln)
expect_text("First divergence: tensor 'logits', made by layer '/fc2/Gemm' (Gemm)")

# The onnxruntime backend. With `import onnxruntime` failing it is skipped with one line, not an error.
set(ENV{PYTHONPATH} ${CMAKE_CURRENT_LIST_DIR}/hidden_onnxruntime)
run_kiln(0 compare ${MATMUL} ${MATMUL_SHAPES} --backends cpu,onnxruntime)
expect_text("onnxruntime: skipped (")
expect_text("cannot import onnxruntime")
expect_text("Nothing compared: only cpu ran")
run_kiln(0 compare ${MATMUL} ${MATMUL_SHAPES} --backends cpu,onnxruntime,cpu:fp16 --atol 0.02 --rtol 0.02)
expect_text("onnxruntime: skipped (")
expect_text("PASSED: 1 backend agrees with cpu")
# An interpreter the user names must start.
run_kiln(1 compare ${MATMUL} ${MATMUL_SHAPES} --backends cpu,onnxruntime --python ${WORK}/no_such_python)
expect_text("kiln: runtime error in 'onnxruntime': cannot start ${WORK}/no_such_python")

# Through a numpy stand-in for ONNX Runtime's API (where the interpreter has numpy and onnx): the inputs and outputs
# pass through .npy files, and with --markOutputs all the runner adds every node's output to the graph.
execute_process(COMMAND ${PYTHON} -c "import numpy, onnx" RESULT_VARIABLE no_onnx OUTPUT_QUIET ERROR_QUIET)
if(no_onnx)
  message("the numpy stand-in for ONNX Runtime needs numpy and onnx in ${PYTHON}: not run")
else()
  set(ENV{PYTHONPATH} ${CMAKE_CURRENT_LIST_DIR}/fake_onnxruntime)
  foreach(model MATMUL MLP RESHAPE)
    run_kiln(0 compare ${${model}} ${${model}_SHAPES} --backends onnxruntime,cpu --markOutputs all --python ${PYTHON})
    expect_text("cpu against onnxruntime:")
    expect_text("PASSED: 1 backend agrees with onnxruntime")
  endforeach()
  run_kiln(0 compare ${MATMUL} ${MATMUL_SHAPES} --backends cpu,onnxruntime --markOutputs all --python ${PYTHON})
  expect_text("PASS  y  3x3 fp32")
  expect_text("PASS: 2 tensors compared, 0 differ")
  # A shape input's values from a file: every backend builds for them and gets them.
  execute_process(COMMAND ${PYTHON} -c "import numpy; numpy.save('${WORK}/shape.npy', numpy.array([4, 6]))")
  run_kiln(0 compare ${RESHAPE} --loadInputs shape:${WORK}/shape.npy --backends onnxruntime,cpu --python ${PYTHON})
  expect_text("Input shape: 2 int64 from ${WORK}/shape.npy")
  expect_text("PASS  y  4x6 fp32  max abs 0  max rel 0")
endif()

# The real ONNX Runtime, where the default interpreter has it.
unset(ENV{PYTHONPATH})
run_kiln(0 compare ${MNIST} ${MNIST_SHAPES} --backends cpu,onnxruntime --atol 1e-4 --rtol 1e-3 --markOutputs all)
if(OUT MATCHES "onnxruntime: skipped")
  message("ONNX Runtime is not installed for the default interpreter: compared with the stand-in only")
else()
  expect_text("onnxruntime against cpu:")
  expect_text("PASS: 10 tensors compared, 0 differ")
endif()

# Wrong arguments: one line each, exit 1.
run_kiln(1 compare ${MNIST} ${MNIST_SHAPES} --backends cpu,tpu)
expect_text("kiln: invalid argument in '--backends': unknown backend 'tpu' (known: cpu, cuda, onnxruntime;")
run_kiln(1 compare ${MNIST} ${MNIST_SHAPES} --backends cpu,onnxruntime:fp16)
expect_text("unknown backend setting 'onnxruntime:fp16'")
run_kiln(1 compare ${MNIST} ${MNIST_SHAPES} --backends cpu,cpu)
expect_text("backend 'cpu' is named twice")
run_kiln(1 compare ${MNIST} ${MNIST_SHAPES} --backends cpu)
expect_text("nothing to compare: name two backends or more, or give --loadEngine")
run_kiln(1 compare ${MNIST} --backends cpu,cpu:fp16)
expect_text("kiln: invalid argument in 'input': input has dynamic dimensions -1x1x28x28 but profile 0 gives it no shape")
run_kiln(1 compare ${MNIST} --shapes input:9x1x28x28 --loadEngine ${WORK}/mnist_marked.kiln)
expect_text("kiln: shape out of range in 'input': shape 9x1x28x28 is outside optimization profile 0")
run_kiln(1 compare ${MNIST} ${MNIST_SHAPES} --backends cpu,cpu:fp16 --atol -1)
expect_text("kiln: invalid argument in '--atol': tolerances are numbers >= 0")
run_kiln(1 compare ${MNIST} ${MNIST_SHAPES} --markOutputs some)
expect_text("kiln: --markOutputs: some not in {all} (see kiln compare --help)")
run_kiln(1 compare ${MNIST} --shapes image:2x1x28x28 --backends cpu,cpu:fp16)
expect_text("the shape flags name an input the model does not have (its inputs: input)")
