// The .npy files of the kiln command: where outputs are saved.
#include <gtest/gtest.h>

#include "npy.h"

namespace kiln::test {
namespace {

TEST(NpyFiles, OutputFileNamesStayInsideTheChosenFolder) {
  EXPECT_EQ(cli::npyFileName("y"), "y.npy");
  EXPECT_EQ(cli::npyFileName("logits:0"), "logits:0.npy");
  // Names come from the model: separators must not lead out of the folder.
  EXPECT_EQ(cli::npyFileName("../x"), ".._x.npy");
  EXPECT_EQ(cli::npyFileName("/tmp/x"), "_tmp_x.npy");
  EXPECT_EQ(cli::npyFileName("a\\..\\b"), "a_.._b.npy");
  EXPECT_EQ(cli::npyFileName("model/dense/BiasAdd"), "model_dense_BiasAdd.npy");
}

}  // namespace
}  // namespace kiln::test
