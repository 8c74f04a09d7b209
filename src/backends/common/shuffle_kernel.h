// The shuffle step (transpose, reshape, transpose) as every backend runs it: identity permutations are dropped, so a
// step is a copy, one transpose, or two transposes through the workspace. Backends supply the copy and the transpose.
#pragma once

#include <string>
#include <vector>

#include "backends/common/backend.h"
#include "backends/common/layout_geometry.h"
#include "ops/shape.h"

namespace kiln::backend {

class ShuffleKernel : public Kernel {
 public:
  explicit ShuffleKernel(const KernelSpec& spec)
      : step_(spec.step.name),
        first_(spec.step.opAttrs().get(ops::Shuffle::kFirstPerm)),
        second_(spec.step.opAttrs().get(ops::Shuffle::kSecondPerm)) {
    if (isIdentityPermutation(first_)) first_.clear();
    if (isIdentityPermutation(second_)) second_.clear();
  }
  size_t workspaceSize(const KernelArgs& a) const override {
    return (!first_.empty() && !second_.empty()) ? a.in(0).volume() * dataTypeSize(a.in(0).type) : 0;
  }
  Status run(const KernelArgs& a) const final {
    try {
      size_t bytes = a.in(0).volume() * dataTypeSize(a.in(0).type);
      const void* in = a.in(0).data;
      void* out = a.out(0).data;
      if (first_.empty() && second_.empty()) {
        copy(a, in, out, bytes);
      } else if (second_.empty()) {
        transpose(a, in, out, a.in(0).shape, first_);
      } else if (first_.empty()) {
        transpose(a, in, out, unpermute(a.out(0).shape, second_), second_);
      } else {
        if (a.workspaceSize < bytes) return Error(ErrorCode::kRUNTIME, "workspace too small", step_);
        transpose(a, in, a.workspace, a.in(0).shape, first_);
        transpose(a, a.workspace, out, unpermute(a.out(0).shape, second_), second_);
      }
      return Status::ok();
    } catch (const Error& e) {
      return e;
    }
  }

 protected:
  // `bytes` from `in` to `out` (which may be the same buffer). Throws kiln::Error.
  virtual void copy(const KernelArgs& a, const void* in, void* out, size_t bytes) const = 0;
  // out = in (of shape `inShape`) with its axes permuted by `perm`. Throws kiln::Error.
  virtual void transpose(const KernelArgs& a, const void* in, void* out, const Dims& inShape,
                         const std::vector<int64_t>& perm) const = 0;
  const std::string& step() const { return step_; }

 private:
  std::string step_;
  std::vector<int64_t> first_, second_;
};

}  // namespace kiln::backend
