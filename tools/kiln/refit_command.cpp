// `kiln refit --loadEngine old.kiln --onnx new_weights.onnx --saveEngine new.kiln`: new weights for a plan built
// with --refit, taken from the initializers of an ONNX model of the same network, without a rebuild.
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "commands.h"
#include "file_io.h"
#include "kiln/kiln.h"
#include "kiln/onnx.h"

namespace kiln::cli {

namespace {

struct RefitOptions {
  std::string loadEngine, onnx, saveEngine;
};

// The values of the model's constants (its initializers among them) by tensor name; the network holds them.
std::map<std::string, Weights> constantsByName(const NetworkDefinition& network) {
  std::map<std::string, Weights> constants;
  for (int32_t i = 0; i < network.getNbLayers(); ++i) {
    Layer* layer = network.getLayer(i);
    if (layer->getType() != LayerType::kCONSTANT) continue;
    constants.emplace(layer->getOutput(0)->getName(), static_cast<ConstantLayer*>(layer)->getWeights());
  }
  return constants;
}

void refit(const RefitOptions& o) {
  checkOutputFile(o.saveEngine, "--saveEngine");
  auto plan = readFileBytes(o.loadEngine);
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Refitter> refitter;
  try {
    engine = Runtime().deserialize(plan);
    refitter = createRefitter(*engine);
  } catch (const Error& e) {
    rethrowNamingFile(e, o.loadEngine);
  }
  Builder builder;
  auto network = builder.createNetwork();
  onnx::Parser parser(*network);
  parser.parseFromFile(o.onnx);
  auto constants = constantsByName(*network);
  for (const std::string& name : refitter->getAll()) {
    auto it = constants.find(name);
    if (it == constants.end())
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "the model has no initializer '" + name + "', a weight of the engine " + o.loadEngine, o.onnx);
    try {
      refitter->setNamedWeights(name.c_str(), it->second);
    } catch (const Error& e) {
      throw Error(e.code(), "weight '" + name + "': " + e.message(), o.onnx);
    }
  }
  refitter->refitEngine();
  auto bytes = engine->serialize();
  writeFileBytes(o.saveEngine, bytes.data(), bytes.size(), "the refit plan");
  std::cout << "Refit " << refitter->getAll().size() << " weights of " << o.loadEngine << " from " << o.onnx
            << "; saved " << o.saveEngine << " (" << bytes.size() << " bytes)\n";
}

}  // namespace

void addRefitCommand(CLI::App& app) {
  auto options = std::make_shared<RefitOptions>();
  auto* cmd = app.add_subcommand("refit", "Give a plan built with --refit new weights from an ONNX model");
  cmd->add_option("--loadEngine", options->loadEngine, "Plan built with --refit")->required()->check(CLI::ExistingFile);
  cmd->add_option("--onnx", options->onnx, "ONNX model of the same network holding the new weights")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--saveEngine", options->saveEngine, "Write the refit plan to this file")->required();
  cmd->callback([options] { refit(*options); });
}

}  // namespace kiln::cli
