#include "step_profile.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>

#include "percentile.h"

namespace kiln::cli {

namespace {

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void StepProfile::reportLayerTime(const char* layerName, float ms) {
  // Steps come in order, every run: a name seen at position 0 again starts the next run.
  if (next_ == names_.size() && !names_.empty() && names_[0] == layerName) next_ = 0;
  if (next_ == 0) ++runs_;
  if (next_ == names_.size()) {
    names_.emplace_back(layerName);
    times_.emplace_back();
  }
  times_[next_++].push_back(ms);
}

std::vector<StepProfile::Row> StepProfile::rows(const Engine& engine) const {
  std::vector<Row> rows;
  for (size_t i = 0; i < names_.size(); ++i) {
    auto index = static_cast<int32_t>(i);
    std::string type = index < engine.getNbLayers() ? engine.getLayerInformation(index).type : "";
    rows.push_back({names_[i], type, percentile(times_[i], 0.5)});  // every step was reported at least once
  }
  return rows;
}

void StepProfile::print(const Engine& engine) const {
  auto all = rows(engine);
  double total = 0;
  std::map<std::string, double> byType;
  for (const auto& r : all) {
    total += r.medianMs;
    byType[r.type] += r.medianMs;
  }
  std::cout << "Profile over " << runs_ << " runs (median ms per step):\n" << std::fixed;
  for (size_t i = 0; i < all.size(); ++i)
    std::cout << "  [" << i << "] " << std::setprecision(4) << all[i].medianMs << " ms  " << std::setprecision(1)
              << std::setw(5) << (total > 0 ? 100.0 * all[i].medianMs / total : 0.0) << "%  " << all[i].type << " "
              << all[i].name << "\n";
  std::vector<std::pair<double, std::string>> types;
  for (const auto& [type, ms] : byType) types.emplace_back(ms, type);
  std::sort(types.rbegin(), types.rend());
  std::cout << "By step type:";
  for (const auto& [ms, type] : types)
    std::cout << "  " << type << " " << std::setprecision(4) << ms << " ms (" << std::setprecision(1)
              << (total > 0 ? 100.0 * ms / total : 0.0) << "%)";
  std::cout << "\nSum of step medians: " << std::setprecision(4) << total << " ms\n";
}

void StepProfile::exportJson(const Engine& engine, const std::string& path) const {
  std::ofstream out(path);
  out << std::setprecision(9) << "{\n  \"runs\": " << runs_ << ",\n  \"steps\": [";
  auto all = rows(engine);
  for (size_t i = 0; i < all.size(); ++i)
    out << (i ? ",\n" : "\n") << "    {\"name\": " << jsonString(all[i].name)
        << ", \"type\": " << jsonString(all[i].type) << ", \"medianMs\": " << all[i].medianMs << "}";
  out << "\n  ]\n}\n";
  if (!out) throw Error(ErrorCode::kIO, "cannot write the profile", path);
}

}  // namespace kiln::cli
