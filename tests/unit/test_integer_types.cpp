// The int16/uint16/uint32/uint64 element types end to end (sizes and names, arithmetic that wraps like numpy, uint64
// beyond the int64 range, exact 64-bit casts, ONNX tensor decoding), bit shifts, and bf16 casts. Expected values
// are worked by hand or with numpy.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "onnx/tensor_proto.h"
#include "test_util.h"

namespace kiln::test {
namespace {

using E = ElementWiseOperation;

template <typename T>
HostTensor vec(DataType type, const std::vector<T>& values) {
  return HostTensor::of(type, Dims{static_cast<int64_t>(values.size())}, values);
}

HostTensor runBinary(E op, const HostTensor& a, const HostTensor& b) {
  NetworkDefinition net;
  Tensor* ta = net.addInput("a", a.type, a.dims);  // inputs in order: buildAndRun binds them by position
  Tensor* tb = net.addInput("b", b.type, b.dims);
  net.markOutput(*net.addElementWise(*ta, *tb, op)->getOutput(0));
  return buildAndRun(net, {a, b}).at(0);
}

HostTensor runCast(const HostTensor& x, DataType to) {
  NetworkDefinition net;
  net.markOutput(*net.addCast(*net.addInput("x", x.type, x.dims), to)->getOutput(0));
  HostTensor out = buildAndRun(net, {x}).at(0);
  EXPECT_EQ(out.type, to);
  return out;
}

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kTwoTo63 = uint64_t{1} << 63;

// ---- The types themselves --------------------------------------------------------------------------------------

TEST(IntegerTypes, SizesNamesAndCodes) {
  EXPECT_EQ(dataTypeSize(DataType::kINT16), 2u);
  EXPECT_EQ(dataTypeSize(DataType::kUINT16), 2u);
  EXPECT_EQ(dataTypeSize(DataType::kUINT32), 4u);
  EXPECT_EQ(dataTypeSize(DataType::kUINT64), 8u);
  EXPECT_STREQ(dataTypeName(DataType::kINT16), "int16");
  EXPECT_STREQ(dataTypeName(DataType::kUINT64), "uint64");
  // Appended after fp64, so the codes of plan files written before them keep their meaning.
  EXPECT_EQ(static_cast<int32_t>(DataType::kINT16), 9);
  EXPECT_EQ(static_cast<int32_t>(DataType::kUINT64), 12);
  EXPECT_TRUE(isValidDataType(12));
  EXPECT_FALSE(isValidDataType(13));
  EXPECT_TRUE(isInteger(DataType::kUINT32));
  EXPECT_FALSE(isInteger(DataType::kBOOL));
  EXPECT_FALSE(isInteger(DataType::kBF16));
  EXPECT_TRUE(isUnsignedInteger(DataType::kUINT16));
  EXPECT_FALSE(isUnsignedInteger(DataType::kINT16));
}

// ---- Arithmetic --------------------------------------------------------------------------------------------------

// ONNX test_mod_mixed_sign_int16's values: Mod follows the divisor's sign (numpy mod), fmod the dividend's.
TEST(IntegerTypes, Int16ModWithMixedSigns) {
  auto x = vec<int16_t>(DataType::kINT16, {-4, 7, 5, 4, -7, 8, -32768});
  auto y = vec<int16_t>(DataType::kINT16, {2, -3, 8, -2, 3, 5, -1});
  EXPECT_EQ(runBinary(E::kMOD, x, y).as<int16_t>(), (std::vector<int16_t>{0, -2, 5, 0, 2, 3, 0}));
  EXPECT_EQ(runBinary(E::kFMOD, x, y).as<int16_t>(), (std::vector<int16_t>{0, 1, 5, 0, -1, 3, 0}));
}

// Max and Min compare as unsigned: values above INT64_MAX are the largest, not negative.
TEST(IntegerTypes, Uint64MaxAndMinBeyondTheInt64Range) {
  auto a = vec<uint64_t>(DataType::kUINT64, {kU64Max, 1, kTwoTo63});
  auto b = vec<uint64_t>(DataType::kUINT64, {1, kTwoTo63 + 1, kTwoTo63 - 1});
  EXPECT_EQ(runBinary(E::kMAX, a, b).as<uint64_t>(), (std::vector<uint64_t>{kU64Max, kTwoTo63 + 1, kTwoTo63}));
  EXPECT_EQ(runBinary(E::kMIN, a, b).as<uint64_t>(), (std::vector<uint64_t>{1, 1, kTwoTo63 - 1}));
  EXPECT_EQ(runBinary(E::kGREATER, a, b).as<uint8_t>(), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(runBinary(E::kMOD, a, b).as<uint64_t>(), (std::vector<uint64_t>{0, 1, 1}));
}

// Unsigned arithmetic wraps modulo 2^bits; uint16 products no longer overflow the int they promote to.
TEST(IntegerTypes, UnsignedArithmeticWraps) {
  EXPECT_EQ(runBinary(E::kPROD, vec<uint16_t>(DataType::kUINT16, {65535, 300}),
                      vec<uint16_t>(DataType::kUINT16, {65535, 300}))
                .as<uint16_t>(),
            (std::vector<uint16_t>{1, 24464}));
  EXPECT_EQ(runBinary(E::kSUB, vec<uint32_t>(DataType::kUINT32, {1, 7}), vec<uint32_t>(DataType::kUINT32, {2, 7}))
                .as<uint32_t>(),
            (std::vector<uint32_t>{4294967295u, 0}));
  // 3^21 = 10460353203, modulo 2^32.
  EXPECT_EQ(runBinary(E::kPOW, vec<uint32_t>(DataType::kUINT32, {3, 2}), vec<uint32_t>(DataType::kUINT32, {21, 31}))
                .as<uint32_t>(),
            (std::vector<uint32_t>{1870418611u, 2147483648u}));
  EXPECT_EQ(runBinary(E::kDIV, vec<uint64_t>(DataType::kUINT64, {kU64Max}), vec<uint64_t>(DataType::kUINT64, {2}))
                .as<uint64_t>(),
            (std::vector<uint64_t>{kTwoTo63 - 1}));
}

// ---- Bit shifts ----------------------------------------------------------------------------------------------------

TEST(BitShift, LeftAndRightOfEveryUnsignedWidth) {
  EXPECT_EQ(
      runBinary(E::kSHIFT_LEFT, vec<uint8_t>(DataType::kUINT8, {0x81, 1, 1}), vec<uint8_t>(DataType::kUINT8, {1, 7, 8}))
          .as<uint8_t>(),
      (std::vector<uint8_t>{0x02, 0x80, 0}));
  EXPECT_EQ(runBinary(E::kSHIFT_LEFT, vec<uint16_t>(DataType::kUINT16, {1, 0x8001, 5}),
                      vec<uint16_t>(DataType::kUINT16, {15, 1, 16}))
                .as<uint16_t>(),
            (std::vector<uint16_t>{0x8000, 0x0002, 0}));
  EXPECT_EQ(runBinary(E::kSHIFT_RIGHT, vec<uint32_t>(DataType::kUINT32, {0xffffffffu, 256, 7}),
                      vec<uint32_t>(DataType::kUINT32, {31, 8, 32}))
                .as<uint32_t>(),
            (std::vector<uint32_t>{1, 1, 0}));
  EXPECT_EQ(runBinary(E::kSHIFT_LEFT, vec<uint64_t>(DataType::kUINT64, {1, 3, 1}),
                      vec<uint64_t>(DataType::kUINT64, {63, 62, 64}))
                .as<uint64_t>(),
            (std::vector<uint64_t>{kTwoTo63, 0xc000000000000000ull, 0}));
  EXPECT_EQ(runBinary(E::kSHIFT_RIGHT, vec<uint64_t>(DataType::kUINT64, {kU64Max, kTwoTo63}),
                      vec<uint64_t>(DataType::kUINT64, {63, 200}))
                .as<uint64_t>(),
            (std::vector<uint64_t>{1, 0}));
}

TEST(BitShift, BroadcastsTheShiftAmount) {
  HostTensor x = HostTensor::of(DataType::kUINT16, Dims{2, 2}, std::vector<uint16_t>{1, 2, 3, 4});
  HostTensor s = HostTensor::of(DataType::kUINT16, Dims{1, 2}, std::vector<uint16_t>{4, 0});
  EXPECT_EQ(runBinary(E::kSHIFT_LEFT, x, s).as<uint16_t>(), (std::vector<uint16_t>{16, 2, 48, 4}));
}

TEST(BitShift, SignedAndFloatInputsAreRejected) {
  for (DataType type : {DataType::kINT32, DataType::kINT16, DataType::kFLOAT}) {
    SCOPED_TRACE(dataTypeName(type));
    NetworkDefinition net;
    Tensor* x = net.addInput("x", type, Dims{2});
    Error e = errorOf([&] { net.addElementWise(*x, *x, E::kSHIFT_RIGHT); });
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_NE(e.message().find("unsigned integer"), std::string::npos) << e.message();
  }
}

// ---- Casts ---------------------------------------------------------------------------------------------------------

// 64-bit integers convert directly, so values beyond 2^53 stay exact; narrowing wraps like numpy's astype.
TEST(IntegerCasts, Uint64ConvertsExactly) {
  auto x = vec<uint64_t>(DataType::kUINT64, {kU64Max, (uint64_t{1} << 53) + 1, 70000});
  EXPECT_EQ(runCast(x, DataType::kINT64).as<int64_t>(), (std::vector<int64_t>{-1, (int64_t{1} << 53) + 1, 70000}));
  EXPECT_EQ(runCast(x, DataType::kUINT32).as<uint32_t>(), (std::vector<uint32_t>{4294967295u, 1, 70000}));
  EXPECT_EQ(runCast(x, DataType::kINT16).as<int16_t>(), (std::vector<int16_t>{-1, 1, 4464}));
  EXPECT_EQ(runCast(x, DataType::kFLOAT).f32(),
            (std::vector<float>{18446744073709551616.0f, 9007199254740992.0f, 70000.0f}));
  auto big = vec<int64_t>(DataType::kINT64, {(int64_t{1} << 62) + 3, -2});
  EXPECT_EQ(runCast(big, DataType::kUINT64).as<uint64_t>(),
            (std::vector<uint64_t>{(uint64_t{1} << 62) + 3, kU64Max - 1}));
}

TEST(IntegerCasts, RoundTripsThroughOtherWidths) {
  auto i16 = vec<int16_t>(DataType::kINT16, {-32768, -1, 0, 32767});
  HostTensor u16 = runCast(i16, DataType::kUINT16);
  EXPECT_EQ(u16.as<uint16_t>(), (std::vector<uint16_t>{32768, 65535, 0, 32767}));
  EXPECT_EQ(runCast(u16, DataType::kINT16).as<int16_t>(), i16.as<int16_t>());
  HostTensor wide = runCast(i16, DataType::kINT64);
  EXPECT_EQ(wide.as<int64_t>(), (std::vector<int64_t>{-32768, -1, 0, 32767}));
  EXPECT_EQ(runCast(wide, DataType::kINT16).as<int16_t>(), i16.as<int16_t>());
  auto u32 = vec<uint32_t>(DataType::kUINT32, {4294967295u, 16777217u, 5});
  HostTensor f64 = runCast(u32, DataType::kDOUBLE);
  EXPECT_EQ(f64.as<double>(), (std::vector<double>{4294967295.0, 16777217.0, 5.0}));
  EXPECT_EQ(runCast(f64, DataType::kUINT32).as<uint32_t>(), u32.as<uint32_t>());
  EXPECT_EQ(runCast(u32, DataType::kBOOL).as<uint8_t>(), (std::vector<uint8_t>{1, 1, 1}));
}

// Float to unsigned truncates toward zero; NaN gives 0; uint64 takes values above INT64_MAX.
TEST(IntegerCasts, FloatToUnsigned) {
  auto f = vec<float>(DataType::kFLOAT, {1e19f, 3.9f, std::nanf(""), 65535.5f});
  // fp32 1e19 is 9999999980506447872 exactly.
  EXPECT_EQ(runCast(f, DataType::kUINT64).as<uint64_t>(), (std::vector<uint64_t>{9999999980506447872ull, 3, 0, 65535}));
  auto g = vec<float>(DataType::kFLOAT, {3.9f, std::nanf(""), 65535.5f, 1.0f});
  EXPECT_EQ(runCast(g, DataType::kUINT16).as<uint16_t>(), (std::vector<uint16_t>{3, 0, 65535, 1}));
}

// fp32 to bf16 keeps the upper 16 bits (ONNX test_cast_FLOAT_to_BFLOAT16's expected data); NaN stays NaN.
TEST(Bf16Casts, FloatToBf16TruncatesAndBf16ToFloatIsExact) {
  auto bits =
      vec<uint32_t>(DataType::kFLOAT, {0x3ef5eeb0u, 0x3effd6b2u, 0xbf51b0e5u, 0x7fc00000u, 0xff800000u, 0x00010000u});
  HostTensor bf = runCast(bits, DataType::kBF16);
  EXPECT_EQ(bf.as<uint16_t>(), (std::vector<uint16_t>{0x3ef5, 0x3eff, 0xbf51, 0x7fc0, 0xff80, 0x0001}));
  HostTensor back = runCast(bf, DataType::kFLOAT);
  EXPECT_EQ(back.as<uint32_t>(),
            (std::vector<uint32_t>{0x3ef50000u, 0x3eff0000u, 0xbf510000u, 0x7fc00000u, 0xff800000u, 0x00010000u}));
}

// Every bf16 value that is not NaN survives bf16 -> fp32 -> bf16 and bf16 -> fp64 -> bf16 unchanged.
TEST(Bf16Casts, EveryValueRoundTrips) {
  std::vector<uint16_t> all;
  for (uint32_t b = 0; b <= 0xffff; ++b)
    if ((b & 0x7fffu) <= 0x7f80u) all.push_back(static_cast<uint16_t>(b));
  HostTensor bf = vec<uint16_t>(DataType::kBF16, all);
  EXPECT_EQ(runCast(runCast(bf, DataType::kFLOAT), DataType::kBF16).as<uint16_t>(), all);
  EXPECT_EQ(runCast(runCast(bf, DataType::kDOUBLE), DataType::kBF16).as<uint16_t>(), all);
}

// ---- ONNX tensor data ----------------------------------------------------------------------------------------------

// int16/uint16 values live in int32_data, uint32/uint64 in uint64_data; raw_data holds them little-endian.
TEST(OnnxIntegerTensors, TypedFieldsAndRawData) {
  ::onnx::TensorProto t;
  t.add_dims(3);
  t.set_data_type(::onnx::TensorProto::INT16);
  for (int32_t v : {-32768, -1, 32767}) t.add_int32_data(v);
  onnx::HostData d = onnx::readTensor(t, ".");
  EXPECT_EQ(d.type, DataType::kINT16);
  EXPECT_EQ(HostTensor::of(d.type, d.dims, d.bytes).as<int16_t>(), (std::vector<int16_t>{-32768, -1, 32767}));

  t.Clear();
  t.add_dims(2);
  t.set_data_type(::onnx::TensorProto::UINT64);
  for (uint64_t v : {kU64Max, uint64_t{7}}) t.add_uint64_data(v);
  d = onnx::readTensor(t, ".");
  EXPECT_EQ(d.type, DataType::kUINT64);
  EXPECT_EQ(HostTensor::of(d.type, d.dims, d.bytes).as<uint64_t>(), (std::vector<uint64_t>{kU64Max, 7}));

  t.Clear();
  t.add_dims(2);
  t.set_data_type(::onnx::TensorProto::UINT32);
  for (uint64_t v : {uint64_t{4294967295u}, uint64_t{9}}) t.add_uint64_data(v);
  d = onnx::readTensor(t, ".");
  EXPECT_EQ(d.type, DataType::kUINT32);
  EXPECT_EQ(HostTensor::of(d.type, d.dims, d.bytes).as<uint32_t>(), (std::vector<uint32_t>{4294967295u, 9}));

  t.Clear();
  t.add_dims(2);
  t.set_data_type(::onnx::TensorProto::UINT16);
  const uint16_t raw[] = {65535, 2};
  t.set_raw_data(std::string(reinterpret_cast<const char*>(raw), sizeof(raw)));
  d = onnx::readTensor(t, ".");
  EXPECT_EQ(d.type, DataType::kUINT16);
  EXPECT_EQ(HostTensor::of(d.type, d.dims, d.bytes).as<uint16_t>(), (std::vector<uint16_t>{65535, 2}));
}

}  // namespace
}  // namespace kiln::test
