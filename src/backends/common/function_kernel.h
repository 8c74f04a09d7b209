// Kernels whose body is a callable: the shape every backend's simple kernels take.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/common/backend.h"

namespace kiln::backend {

// A kernel whose body is a callable `void(const KernelArgs&)`; exceptions become an error Status naming the step.
template <typename Body>
class FunctionKernel : public Kernel {
 public:
  FunctionKernel(std::string stepName, Body body) : stepName_(std::move(stepName)), body_(std::move(body)) {}
  Status run(const KernelArgs& args) const override {
    try {
      body_(args);
      return Status::ok();
    } catch (const Error& e) {
      if (!e.object().empty()) return e;
      return Error(e.code(), e.message(), stepName_);
    } catch (const std::exception& e) {
      return Error(ErrorCode::kRUNTIME, e.what(), stepName_);
    }
  }

 private:
  std::string stepName_;
  Body body_;
};

template <typename Body>
std::unique_ptr<Kernel> makeKernel(const KernelSpec& spec, Body body) {
  return std::make_unique<FunctionKernel<Body>>(spec.step.name, std::move(body));
}

// A FunctionKernel that also needs scratch memory: Body provides `size_t workspaceBytes(const KernelArgs&) const`,
// and where it has a choice of implementations `std::vector<plan::Tactic> candidates(const KernelArgs&) const`.
template <typename Body>
class WorkspaceKernel final : public FunctionKernel<Body> {
 public:
  WorkspaceKernel(const KernelSpec& spec, const Body& body) : FunctionKernel<Body>(spec.step.name, body), body_(body) {}
  size_t workspaceSize(const KernelArgs& args) const override { return body_.workspaceBytes(args); }
  std::vector<plan::Tactic> candidateTactics(const KernelArgs& args) const override {
    if constexpr (requires { body_.candidates(args); })
      return body_.candidates(args);
    else
      return {};
  }

 private:
  Body body_;
};

}  // namespace kiln::backend
