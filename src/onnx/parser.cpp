// The ONNX Parser: model loading, graph inputs and initializers, node dispatch, and error collection.
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "core/api_boundary.h"
#include "core/checked_math.h"
#include "kiln/onnx.h"
#include "onnx/import_context.h"

namespace kiln::onnx {

namespace fs = std::filesystem;

struct Parser::State {
  NetworkDefinition* network;
  Logger* logger;
  ModelInfo info;
  std::vector<UnsupportedNode> unsupported;
};

namespace {

::onnx::ModelProto loadModel(const void* data, size_t size, const std::string& what) {
  ::onnx::ModelProto model;
  if (size > static_cast<size_t>(INT32_MAX))
    throw Error(ErrorCode::kUNSUPPORTED, "models over 2 GiB must keep their weights as external data", what);
  if (!model.ParseFromArray(data, static_cast<int>(size)))
    throw Error(ErrorCode::kINVALID_GRAPH, "not a valid ONNX model (protobuf parse failed)", what);
  if (!model.has_graph()) throw Error(ErrorCode::kINVALID_GRAPH, "the model has no graph", what);
  return model;
}

std::vector<uint8_t> readFile(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
    throw Error(ErrorCode::kIO, "not a regular file (a directory, a device or a pipe)", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIO, "cannot open the file", path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

ModelInfo modelInfo(const ::onnx::ModelProto& model) {
  ModelInfo info;
  info.irVersion = model.ir_version();
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") info.opset = o.version();
  info.producerName = model.producer_name();
  info.producerVersion = model.producer_version();
  info.domain = model.domain();
  info.modelVersion = model.model_version();
  info.docString = model.doc_string();
  return info;
}

// Graph inputs with an initializer of the same name are constants, not network inputs.
std::set<std::string> initializerNames(const ::onnx::GraphProto& graph) {
  std::set<std::string> names;
  for (const auto& t : graph.initializer()) names.insert(t.name());
  return names;
}

Dims inputDims(const ::onnx::ValueInfoProto& input) {
  Dims dims;
  const auto& type = input.type().tensor_type();
  if (!type.has_shape())
    throw Error(ErrorCode::kUNSUPPORTED, "inputs without a known rank are not supported", input.name());
  dims.nbDims = type.shape().dim_size();
  if (dims.nbDims > Dims::MAX_DIMS) throw Error(ErrorCode::kUNSUPPORTED, "rank above 8", input.name());
  for (int32_t i = 0; i < dims.nbDims; ++i) {
    const auto& d = type.shape().dim(i);
    // dim_param ("batch"), missing dims and -1 (which some exporters write) are dynamic.
    if (d.has_dim_value() && d.dim_value() < -1)
      throw Error(ErrorCode::kINVALID_GRAPH,
                  "dimension " + std::to_string(i) + " is " + std::to_string(d.dim_value()) +
                      " (a dimension is a size >= 0, or symbolic)",
                  input.name());
    dims.d[i] = d.has_dim_value() && d.dim_value() >= 0 ? d.dim_value() : -1;
  }
  return dims;
}

bool isDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

Error errorAtNode(const Error& e, const ::onnx::NodeProto& node) {
  std::string label = nodeLabel(node);
  if (e.object() == label) return e;
  return Error(e.code(), (e.object().empty() ? "" : "'" + e.object() + "': ") + e.message(), label);
}

// The opset kiln can read: one it knows, and present when the graph has default-domain nodes.
void checkOpset(const ::onnx::GraphProto& graph, int64_t opset) {
  if (opset > kNewestOpset)
    throw Error(ErrorCode::kUNSUPPORTED,
                "opset " + std::to_string(opset) + " is newer than the newest kiln imports (" +
                    std::to_string(kNewestOpset) + ")",
                "onnx model");
  bool usesDefaultDomain = false;
  for (const auto& node : graph.node()) usesDefaultDomain |= isDefaultDomain(node.domain());
  if (opset <= 0 && usesDefaultDomain)
    throw Error(
        ErrorCode::kINVALID_GRAPH,
        "the model imports no opset (or opset " + std::to_string(opset) + ") for the default domain its nodes use",
        "onnx model");
}

// An ONNX graph names each tensor once: a second producer would silently replace the first (and rename a graph
// output), so it is refused naming both producers.
void checkSingleAssignment(const ::onnx::GraphProto& graph) {
  std::map<std::string, std::string> producers;
  for (const auto& input : graph.input()) producers.emplace(input.name(), "graph input");
  for (const auto& init : graph.initializer()) producers.emplace(init.name(), "initializer");
  for (const auto& node : graph.node())
    for (const auto& out : node.output()) {
      if (out.empty()) continue;
      auto [it, added] = producers.emplace(out, "node " + nodeLabel(node));
      if (!added)
        throw Error(ErrorCode::kINVALID_GRAPH, "produced twice: by " + it->second + " and by node " + nodeLabel(node),
                    out);
    }
}

std::string describe(const std::vector<UnsupportedNode>& nodes) {
  std::ostringstream s;
  s << nodes.size() << " node" << (nodes.size() == 1 ? "" : "s") << " cannot be imported: ";
  // One line however many nodes fail, so that logs and tools keep the message whole.
  for (size_t i = 0; i < nodes.size(); ++i)
    s << (i ? "; " : "") << nodes[i].opType << " '" << nodes[i].nodeName << "' (opset " << nodes[i].opset
      << "): " << nodes[i].reason;
  return s.str();
}

}  // namespace

Parser::Parser(NetworkDefinition& network, Logger& logger) : state_(std::make_unique<State>()) {
  state_->network = &network;
  state_->logger = &logger;
}

Parser::~Parser() = default;

const ModelInfo& Parser::getModelInfo() const { return state_->info; }
const std::vector<UnsupportedNode>& Parser::getUnsupportedNodes() const { return state_->unsupported; }

void Parser::parseFromFile(const std::string& path) {
  core::errorBoundary("onnx model", [&] {
    auto bytes = readFile(path);
    std::string dir = fs::path(path).parent_path().string();
    parse(bytes.data(), bytes.size(), dir.empty() ? "." : dir);
  });
}

void Parser::parse(const void* data, size_t size, const std::string& baseDir) {
  core::errorBoundary("onnx model", [&] {
    if (!data && size) throw Error(ErrorCode::kINVALID_ARGUMENT, "model data is null", "onnx");
    ::onnx::ModelProto model = loadModel(data, size, "onnx model");
    State& s = *state_;
    s.info = modelInfo(model);
    s.unsupported.clear();
    const auto& graph = model.graph();
    NetworkDefinition& network = *s.network;
    checkOpset(graph, s.info.opset);
    checkSingleAssignment(graph);
    ImportContext ctx(network, s.info.opset, baseDir);
    if (s.info.opset < 7 && s.info.opset != 0)
      s.logger->log(Severity::kWARNING, "opset " + std::to_string(s.info.opset) + " is older than 7; importing anyway");

    auto initializers = initializerNames(graph);
    for (const auto& input : graph.input()) {
      if (initializers.count(input.name())) continue;
      if (!input.type().has_tensor_type())
        throw Error(ErrorCode::kUNSUPPORTED, "only tensor inputs are supported (not sequences, maps or optionals)",
                    input.name());
      DataType type = fromOnnxType(input.type().tensor_type().elem_type(), input.name());
      ctx.define(input.name(), network.addInput(input.name().c_str(), type, inputDims(input)));
    }
    for (const auto& init : graph.initializer()) {
      HostData host = readTensor(init, baseDir);
      Tensor* t = ctx.constantData(host);
      if (!network.getTensor(init.name().c_str())) t->setName(init.name().c_str());
      ctx.define(init.name(), t);
    }

    // Every node whose op kiln has no importer for is listed, not just the first.
    const OpRegistry& registry = opRegistry();
    for (const auto& node : graph.node()) {
      if (pluginCreatorFor(node)) continue;
      if (!isDefaultDomain(node.domain()))
        s.unsupported.push_back(
            {node.op_type(), nodeLabel(node), s.info.opset, "unknown domain '" + node.domain() + "'"});
      else if (!registry.find(node.op_type(), s.info.opset))
        s.unsupported.push_back(
            {node.op_type(), nodeLabel(node), s.info.opset, "no importer for this op at this opset"});
    }
    if (!s.unsupported.empty()) throw Error(ErrorCode::kUNSUPPORTED, describe(s.unsupported), "onnx model");

    // Import in order. A node that fails as unsupported is recorded and its outputs are poisoned, so the rest of the
    // model is still checked and every problem reported together.
    std::set<std::string> poisoned;
    for (const auto& node : graph.node()) {
      bool skip = false;
      for (const auto& in : node.input()) skip |= poisoned.count(in) != 0;
      if (skip) {
        for (const auto& out : node.output()) poisoned.insert(out);
        continue;
      }
      try {
        if (const IPluginCreatorV3* creator = pluginCreatorFor(node))
          importPlugin(ctx, node, *creator);
        else
          (*registry.find(node.op_type(), s.info.opset))(ctx, node);
        for (int32_t i = 0; i < node.output_size(); ++i)
          if (!node.output(i).empty() && !ctx.find(node.output(i)))
            throw Error(ErrorCode::kUNSUPPORTED, node.op_type() + ": output " + std::to_string(i) + " is not produced",
                        nodeLabel(node));
      } catch (const Error& e) {
        // The ONNX node is what the user can find in the model; the kiln layer or tensor it tripped stays in the text.
        if (e.code() != ErrorCode::kUNSUPPORTED) throw errorAtNode(e, node);
        s.unsupported.push_back({node.op_type(), nodeLabel(node), s.info.opset, e.message()});
        for (const auto& out : node.output()) poisoned.insert(out);
      } catch (...) {
        throw core::currentExceptionAsError(nodeLabel(node).c_str());
      }
    }
    if (!s.unsupported.empty()) throw Error(ErrorCode::kUNSUPPORTED, describe(s.unsupported), "onnx model");

    for (const auto& output : graph.output()) {
      Tensor* t = ctx.find(output.name());
      if (!t) throw Error(ErrorCode::kINVALID_GRAPH, "no node produces the graph output", output.name());
      // An output that is a graph input or an initializer directly gets a copy, named as the model names it.
      if (t->isNetworkInput() || std::string(t->getName()) != output.name()) {
        Tensor* copy = network.addIdentity(*t)->getOutput(0);
        if (!network.getTensor(output.name().c_str())) copy->setName(output.name().c_str());
        t = copy;
      }
      network.markOutput(*t);
    }
  });
}

std::vector<std::string> supportedOps(int64_t opset) { return opRegistry().opTypes(opset); }

ModelSummary summarizeModel(const std::string& path) {
  auto bytes = readFile(path);
  ::onnx::ModelProto model = loadModel(bytes.data(), bytes.size(), path);
  ModelSummary summary;
  summary.info = modelInfo(model);
  auto initializers = initializerNames(model.graph());
  for (const auto& input : model.graph().input()) {
    if (initializers.count(input.name())) continue;
    ModelSummary::Input in;
    in.name = input.name();
    const auto& tt = input.type().tensor_type();
    in.type = onnxTypeName(tt.elem_type());
    for (const auto& d : tt.shape().dim())
      in.dims.push_back(d.has_dim_value() ? std::to_string(d.dim_value())
                                          : (d.dim_param().empty() ? "?" : d.dim_param()));
    summary.inputs.push_back(in);
  }
  for (const auto& output : model.graph().output()) summary.outputs.push_back(output.name());
  std::set<std::string> missing;
  for (const auto& node : model.graph().node()) {
    summary.nodes.push_back({node.name(), node.op_type(), {node.output().begin(), node.output().end()}});
    summary.opHistogram[node.op_type()]++;
    if (!pluginCreatorFor(node) &&
        (!isDefaultDomain(node.domain()) || !opRegistry().find(node.op_type(), summary.info.opset)))
      missing.insert(node.op_type());
  }
  summary.unsupportedOps.assign(missing.begin(), missing.end());
  for (const auto& t : model.graph().initializer()) {
    // An estimate, saturating where hostile dims would overflow it.
    constexpr int64_t kLargest = std::numeric_limits<int64_t>::max();
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    int64_t bytes = t.has_raw_data()
                        ? static_cast<int64_t>(t.raw_data().size())
                        : core::tryMul<int64_t>(core::tryProduct(dims).value_or(kLargest), 4).value_or(kLargest);
    summary.initializerBytes = core::tryAdd(summary.initializerBytes, bytes).value_or(kLargest);
  }
  return summary;
}

}  // namespace kiln::onnx
