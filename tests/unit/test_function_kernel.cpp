// Kernels built from a body: a WorkspaceKernel reports its body's workspace and, where the body has a choice of
// implementations, its candidate tactics; errors from the body come back naming the step.
#include <gtest/gtest.h>

#include "backends/common/function_kernel.h"

namespace kiln {
namespace {

struct PlainBody {
  void operator()(const backend::KernelArgs&) const { throw Error(ErrorCode::kRUNTIME, "the body failed"); }
  size_t workspaceBytes(const backend::KernelArgs& args) const { return static_cast<size_t>(args.out(0).volume()) * 3; }
};

struct TunableBody : PlainBody {
  std::vector<plan::Tactic> candidates(const backend::KernelArgs& args) const {
    return {{"rows " + std::to_string(args.out(0).shape.d[0]), "A"}, {"other", "B"}};
  }
};

TEST(WorkspaceKernel, ReportsTheWorkspaceAndTheBodysTacticsAndNamesTheStepOnError) {
  plan::Plan plan;
  plan::Step step;
  step.name = "conv1";
  backend::KernelSpec spec{plan, step};
  std::vector<backend::TensorArg> ins, outs{{nullptr, DataType::kFLOAT, Dims{5, 2}}};
  backend::KernelArgs args;
  args.bind(ins, outs);

  backend::WorkspaceKernel<PlainBody> plain(spec, PlainBody{});
  EXPECT_EQ(plain.workspaceSize(args), 30u);
  EXPECT_TRUE(plain.candidateTactics(args).empty());
  Status status = plain.run(args);
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.error().object(), "conv1");
  EXPECT_EQ(status.error().message(), "the body failed");

  backend::WorkspaceKernel<TunableBody> tunable(spec, TunableBody{});
  EXPECT_EQ(tunable.workspaceSize(args), 30u);
  auto tactics = tunable.candidateTactics(args);
  ASSERT_EQ(tactics.size(), 2u);
  EXPECT_EQ(tactics[0], (plan::Tactic{"rows 5", "A"}));
  EXPECT_EQ(tactics[1], (plan::Tactic{"other", "B"}));
}

}  // namespace
}  // namespace kiln
