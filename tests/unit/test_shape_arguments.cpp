// The kiln command's shape arguments ("input:1x3x224x224,mask:1x128") and named paths (--loadInputs).
#include <gtest/gtest.h>

#include "kiln/error.h"
#include "shapes.h"
#include "test_util.h"

namespace kiln::test {
namespace {

TEST(ShapeArguments, ReadsNamesAndDimensions) {
  auto shapes = cli::parseShapes("input:1x3x224x224,mask:1x128");
  ASSERT_EQ(shapes.size(), 2u);
  EXPECT_EQ(shapes.at("input"), (Dims{1, 3, 224, 224}));
  EXPECT_EQ(shapes.at("mask"), (Dims{1, 128}));
}

TEST(ShapeArguments, NamesMayHoldColonsAndScalarsHaveNoDimensions) {
  auto shapes = cli::parseShapes("scope:input:0:2x3,count:,zero:0");
  EXPECT_EQ(shapes.at("scope:input:0"), (Dims{2, 3}));
  EXPECT_EQ(shapes.at("count").nbDims, 0);
  EXPECT_EQ(shapes.at("zero"), (Dims{0}));
}

TEST(ShapeArguments, EmptyTextAndEmptyItemsGiveNothing) {
  EXPECT_TRUE(cli::parseShapes("").empty());
  auto shapes = cli::parseShapes(",x:4,,");
  ASSERT_EQ(shapes.size(), 1u);
  EXPECT_EQ(shapes.at("x"), (Dims{4}));
}

TEST(ShapeArguments, TakesDimensionsUpToInt64Max) {
  EXPECT_EQ(cli::parseShapes("x:9223372036854775807").at("x").d[0], INT64_MAX);
  EXPECT_EQ(cli::parseShapes("x:1x1x1x1x1x1x1x8").at("x").nbDims, 8);
}

TEST(ShapeArguments, RefusesMalformedTextNamingTheFlagAndTheFault) {
  // The argument, and a part of the message expected.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"x:2x", "'2x' is not a shape like 1x3x224x224 (input 'x')"},
      {"x:2xx3", "'2xx3' is not a shape"},
      {"x:x", "'x' is not a shape"},
      {":2", "':2' is not of the form name:value"},
      {"x", "'x' is not of the form name:value"},
      {"x:-5", "'-5' is not a shape"},
      {"x:+5", "'+5' is not a shape"},
      {"x: 5", "' 5' is not a shape"},
      {"x:1.5", "'1.5' is not a shape"},
      {"x:9223372036854775808", "dimension 9223372036854775808 of input 'x' is too large"},
      {"x:99999999999999999999", "dimension 99999999999999999999 of input 'x' is too large"},
      {"x:1x1x1x1x1x1x1x1x1", "the shape of input 'x' has more than 8 dimensions"},
      {"x:1,y:2,x:1", "input 'x' is given twice"},
      {"x\n:2\n", "'2?' is not a shape"},
  };
  for (const auto& c : cases)
    expectRefused(
        "--optShapes", [&] { cli::parseShapes(c.first, "--optShapes"); }, c.second);
}

TEST(ShapeArguments, LongTextIsCutInTheMessage) {
  Error error = errorOf([] { cli::parseShapes("x:" + std::string(1000, '7') + "y"); });
  EXPECT_LT(error.message().size(), 200u);
}

TEST(ShapeArguments, NamedPathsSplitAtTheLastColon) {
  auto paths = cli::parseNamedPaths("input:data/in.npy,scope:mask:m.npy", "--loadInputs");
  EXPECT_EQ(paths.at("input"), "data/in.npy");
  EXPECT_EQ(paths.at("scope:mask"), "m.npy");
  EXPECT_THROW(cli::parseNamedPaths("input:a.npy,input:b.npy", "--loadInputs"), Error);
  EXPECT_THROW(cli::parseNamedPaths("a.npy", "--loadInputs"), Error);
  expectRefused(
      "--loadInputs", [] { cli::parseNamedPaths("input:", "--loadInputs"); }, "input 'input' is given no file");
}

}  // namespace
}  // namespace kiln::test
