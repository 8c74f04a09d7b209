// `kiln run --dumpProfile / --exportProfile`: every step's time over profiled runs (trtexec's flags), collected
// through ExecutionContext::setProfiler, summarized per step as the median over the runs.
#pragma once

#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace kiln::cli {

class StepProfile : public Profiler {
 public:
  void reportLayerTime(const char* layerName, float ms) override;

  struct Row {
    std::string name, type;
    double medianMs = 0;
  };
  // One row per step in step order (types from the engine), medians over the runs reported so far.
  std::vector<Row> rows(const Engine& engine) const;
  int32_t runs() const { return runs_; }

  // A table in step order with each step's share of the total, and the slowest steps' types summed.
  void print(const Engine& engine) const;
  void exportJson(const Engine& engine, const std::string& path) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<double>> times_;  // per step, one entry per run
  size_t next_ = 0;                         // the step the next report belongs to
  int32_t runs_ = 0;
};

}  // namespace kiln::cli
