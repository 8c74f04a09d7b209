#include "backends/common/weight_transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "backends/common/transpose.h"
#include "core/half.h"
#include "kiln/error.h"
#include "ops/channels_last.h"

namespace kiln::backend {

std::optional<std::vector<double>> decodeFloats(const std::vector<uint8_t>& bytes, DataType type) {
  size_t count = bytes.size() / dataTypeSize(type);
  std::vector<double> values(count);
  auto read = [&](auto tag, auto convert) {
    using T = decltype(tag);
    for (size_t i = 0; i < count; ++i) {
      T v;
      std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
      values[i] = static_cast<double>(convert(v));
    }
  };
  auto same = [](auto v) { return v; };
  switch (type) {
    case DataType::kFLOAT: read(float{}, same); break;
    case DataType::kDOUBLE: read(double{}, same); break;
    case DataType::kHALF: read(uint16_t{}, core::halfToFloat); break;
    case DataType::kBF16: read(uint16_t{}, core::bf16ToFloat); break;
    default: return std::nullopt;
  }
  return values;
}

std::vector<uint8_t> encodeFloats(const std::vector<double>& values, DataType type) {
  std::vector<uint8_t> bytes(values.size() * dataTypeSize(type));
  auto write = [&](auto convert) {
    for (size_t i = 0; i < values.size(); ++i) {
      auto v = convert(values[i]);
      std::memcpy(bytes.data() + i * sizeof(v), &v, sizeof(v));
    }
  };
  switch (type) {
    case DataType::kFLOAT: write([](double v) { return static_cast<float>(v); }); break;
    case DataType::kDOUBLE: write([](double v) { return v; }); break;
    case DataType::kHALF: write([](double v) { return core::floatToHalf(static_cast<float>(v)); }); break;
    case DataType::kBF16: write([](double v) { return core::floatToBf16(static_cast<float>(v)); }); break;
    default:
      throw Error(ErrorCode::kUNSUPPORTED, std::string("cannot store fused constants as ") + dataTypeName(type),
                  "builder");
  }
  return bytes;
}

int64_t ChannelLayout::channelOf(int64_t i) const {
  if (!transposed) return i / inner;
  int64_t c = i / (perGroup * inner), k = i / inner % perGroup;
  return c / inPerGroup * perGroup + k;
}

std::vector<int64_t> ChannelLayout::params() const {
  return {channels, transposed ? 1 : 0, groups, perGroup, inner, inPerGroup};
}

ChannelLayout ChannelLayout::fromParams(const std::vector<int64_t>& p) {
  if (p.size() != 6 || p[0] < 0 || p[4] <= 0 || (p[1] && (p[3] <= 0 || p[5] <= 0)))
    throw Error(ErrorCode::kINVALID_PLAN, "a weight recipe's channel layout is malformed", "refit");
  return {p[0], p[1] != 0, p[2], p[3], p[4], p[5]};
}

double perChannelValue(const std::vector<double>& k, int64_t c) {
  return k.size() == 1 ? k[0] : k.at(static_cast<size_t>(c));
}

std::vector<double> scaleWeights(std::vector<double> weights, const std::vector<double>& k,
                                 const ChannelLayout& layout) {
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] *= perChannelValue(k, layout.channelOf(static_cast<int64_t>(i)));
  return weights;
}

std::vector<double> shiftBias(std::optional<std::vector<double>> bias, const std::vector<double>& k,
                              ElementWiseOperation operation, int64_t channels) {
  std::vector<double> values = bias ? std::move(*bias) : std::vector<double>(static_cast<size_t>(channels), 0.0);
  for (int64_t c = 0; c < channels; ++c) {
    double& v = values.at(static_cast<size_t>(c));
    double at = perChannelValue(k, c);
    v = operation == ElementWiseOperation::kPROD ? v * at : operation == ElementWiseOperation::kSUM ? v + at : v - at;
  }
  return values;
}

std::vector<uint8_t> reducePrecision(const std::vector<uint8_t>& bytes, DataType from, DataType to) {
  auto values = decodeFloats(bytes, from);
  if (!values)
    throw Error(ErrorCode::kUNSUPPORTED, std::string("cannot lower constants of type ") + dataTypeName(from),
                "builder");
  double limit = to == DataType::kHALF ? 65504.0 : 3.3895313892515355e38;
  for (double& v : *values)
    if (std::isfinite(v)) v = std::clamp(v, -limit, limit);
  return encodeFloats(*values, to);
}

std::vector<uint8_t> channelsLastKernel(const std::vector<uint8_t>& bytes, const std::vector<int64_t>& dims,
                                        size_t size, int64_t channels) {
  Dims shape;
  shape.nbDims = static_cast<int32_t>(dims.size());
  std::copy(dims.begin(), dims.end(), shape.d);
  std::vector<uint8_t> out(bytes.size());
  transpose(bytes.data(), out.data(), shape, ops::toChannelsLast(dims.size()), size);
  int64_t c = dims.size() > 1 ? dims[1] : 1;
  if (channels <= c || c <= 0) return out;
  size_t run = static_cast<size_t>(c) * size, paddedRun = static_cast<size_t>(channels) * size;
  std::vector<uint8_t> padded(out.size() / run * paddedRun);
  for (size_t r = 0; r * run < out.size(); ++r)
    std::copy_n(out.begin() + static_cast<std::ptrdiff_t>(r * run), run,
                padded.begin() + static_cast<std::ptrdiff_t>(r * paddedRun));
  return padded;
}

}  // namespace kiln::backend
