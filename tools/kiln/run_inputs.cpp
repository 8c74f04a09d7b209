#include "run_inputs.h"

#include <cstring>
#include <new>
#include <random>

namespace kiln::cli {

namespace {

// The values of a shape input as an int32/int64 array of the input's static shape.
NpyArray shapeInputValues(DataType type, const Dims& dims, const Dims& values, const std::string& name) {
  if (values.nbDims != dims.volume())
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "shape input of " + std::to_string(dims.volume()) + " values given " + std::to_string(values.nbDims),
                name);
  NpyArray a{type, dims, std::vector<uint8_t>(static_cast<size_t>(dims.volume()) * dataTypeSize(type))};
  for (int32_t i = 0; i < values.nbDims; ++i) {
    if (type == DataType::kINT32) {
      auto v = static_cast<int32_t>(values.d[i]);
      std::memcpy(a.bytes.data() + i * sizeof v, &v, sizeof v);
    } else {
      std::memcpy(a.bytes.data() + i * sizeof(int64_t), &values.d[i], sizeof(int64_t));
    }
  }
  return a;
}

// An input's data from its .npy file: the file's type must be the input's, and --shapes, when it names the input
// too, must agree with the file.
NpyArray fileInput(const Engine& engine, const std::string& name, const std::string& file,
                   const std::map<std::string, Dims>& shapes) {
  NpyArray array = readNpy(file);
  DataType type = engine.getTensorDataType(name.c_str());
  if (array.type != type)
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                std::string("the file holds ") + dataTypeName(array.type) + " values but input '" + name + "' takes " +
                    dataTypeName(type),
                file);
  auto given = shapes.find(name);
  if (given == shapes.end()) return array;
  if (engine.isShapeInferenceIO(name.c_str())) {
    NpyArray values = shapeInputValues(type, engine.getTensorShape(name.c_str()), given->second, name);
    if (values.dims == array.dims && values.bytes == array.bytes) return array;
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "--shapes gives the values " + toString(given->second) + " but " + file + " holds others", name);
  }
  if (!(given->second == array.dims))
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "--shapes gives " + toString(given->second) + " but " + file + " holds " + toString(array.dims), name);
  return array;
}

}  // namespace

NpyArray randomInput(DataType type, const Dims& dims, uint32_t seed) {
  NpyArray a{type, dims, std::vector<uint8_t>(static_cast<size_t>(dims.volume()) * dataTypeSize(type))};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (int64_t i = 0; i < dims.volume(); ++i) {
    switch (type) {
      case DataType::kFLOAT: reinterpret_cast<float*>(a.bytes.data())[i] = uniform(rng); break;
      case DataType::kDOUBLE: reinterpret_cast<double*>(a.bytes.data())[i] = uniform(rng); break;
      case DataType::kINT32: reinterpret_cast<int32_t*>(a.bytes.data())[i] = static_cast<int32_t>(rng() % 4); break;
      case DataType::kINT64: reinterpret_cast<int64_t*>(a.bytes.data())[i] = static_cast<int64_t>(rng() % 4); break;
      case DataType::kBOOL: a.bytes[i] = i % 2; break;
      default: a.bytes[i * dataTypeSize(type)] = static_cast<uint8_t>(rng() % 4); break;
    }
  }
  return a;
}

void setInputShape(ExecutionContext& context, const std::string& name, const Dims& dims, const std::string& source) {
  Status status = context.setInputShape(name.c_str(), dims);
  if (!status) throw Error(status.error().code(), status.error().message() + " (" + source + ")", name);
}

NpyArray inputData(const Engine& engine, ExecutionContext& context, int32_t index,
                   const std::map<std::string, std::string>& files, const std::map<std::string, Dims>& shapes,
                   uint32_t seed) {
  std::string name = engine.getIOTensorName(index);
  DataType type = engine.getTensorDataType(name.c_str());
  if (auto file = files.find(name); file != files.end()) {
    NpyArray array = fileInput(engine, name, file->second, shapes);
    setInputShape(context, name, array.dims, "the shape of " + file->second);
    return array;
  }
  Dims dims = engine.getTensorShape(name.c_str());
  auto given = shapes.find(name);
  if (engine.isShapeInferenceIO(name.c_str())) {
    if (given == shapes.end())
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "is a shape input: give its values with --shapes (e.g. " + name + ":2x3x4) or --loadInputs", name);
    setInputShape(context, name, dims, "the plan's shape");
    return shapeInputValues(type, dims, given->second, name);
  }
  if (given != shapes.end()) dims = given->second;
  if (dims.hasDynamic())
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "input has dynamic dimensions " + toString(dims) + "; give its shape with --shapes or --loadInputs",
                name);
  setInputShape(context, name, dims, given == shapes.end() ? "the plan's shape" : "given by --shapes");
  try {
    return randomInput(type, dims, seed);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kRUNTIME, "out of host memory for its data at shape " + toString(dims), name);
  }
}

}  // namespace kiln::cli
