// Plan writer and reader. The reader trusts nothing: every count, size, offset and index is checked.
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "kiln/error.h"
#include "plan/plan.h"

namespace kiln::plan {

namespace {

// Header: magic[8], formatVersion u32, headerSize u32, totalSize u64, checksum u32 (CRC-32 of every byte after
// the header), reserved u32, metaOffset u64, metaSize u64, weightsOffset u64, weightsSize u64.
constexpr uint64_t kHeaderSize = 8 + 4 + 4 + 8 + 4 + 4 + 8 * 4;
constexpr uint32_t kMaxCount = 1u << 24;
// The fewest bytes one item of each table takes in the file (its fixed fields, empty strings and lists).
constexpr size_t kAttributeBytes = 4 + 1;               // key length, tag
constexpr size_t kExpressionBytes = 1 + 8 + 4 + 4;      // op, value, a, b
constexpr size_t kTensorBytes = 4 + 4 + 1 + 4 + 8 + 8;  // name length, type, kind, rank, weights offset and size
constexpr size_t kStepBytes = 4 + 4 + 4 + 4 + 4;        // type, name length, attribute, input and output counts
constexpr size_t kAssertionBytes = 1 + 4 + 4 + 4 + 4;   // kind, a, b, layer and message lengths
constexpr size_t kProfileBytes = 8 + 4;                 // activation bytes, tactic count (plus an offset per tensor)

class Writer {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u32(uint32_t v) { raw(&v, 4); }
  void i32(int32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void f64(double v) { raw(&v, 8); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void dims(const Dims& d) {
    i32(d.nbDims);
    for (int32_t i = 0; i < d.nbDims; ++i) i64(d.d[i]);
  }
  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  void setSection(const char* section) { section_ = section; }
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCode::kINVALID_PLAN, what + " at byte " + std::to_string(pos_), section_);
  }
  void need(size_t n) {
    if (n > size_ - pos_) fail("truncated: needs " + std::to_string(n) + " more bytes");
  }
  template <typename T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  uint8_t u8() { return pod<uint8_t>(); }
  uint32_t u32() { return pod<uint32_t>(); }
  int32_t i32() { return pod<int32_t>(); }
  uint64_t u64() { return pod<uint64_t>(); }
  int64_t i64() { return pod<int64_t>(); }
  double f64() { return pod<double>(); }
  // A count of items that each take at least `itemBytes` of what is left: one the rest cannot hold is refused
  // before anything is allocated for it, so a forged count costs no more memory than the file's own size.
  uint32_t count(const char* what, size_t itemBytes = 1) {
    uint32_t n = u32();
    size_t fits = (size_ - pos_) / itemBytes;
    if (n > kMaxCount || n > fits)
      fail(std::string("implausible ") + what + " count " + std::to_string(n) + " (the " +
           std::to_string(size_ - pos_) + " bytes left hold at most " +
           std::to_string(std::min<size_t>(fits, kMaxCount)) + ")");
    return n;
  }
  std::string str() {
    uint32_t n = count("string length");
    need(n);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }
  Dims dims() {
    Dims d;
    d.nbDims = i32();
    if (d.nbDims < 0 || d.nbDims > Dims::MAX_DIMS) fail("rank " + std::to_string(d.nbDims) + " out of range");
    for (int32_t i = 0; i < d.nbDims; ++i) d.d[i] = i64();
    return d;
  }
  bool done() const { return pos_ == size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const char* section_ = "plan";
};

enum class AttrTag : uint8_t { kINT = 0, kFLOAT = 1, kINTS = 2, kFLOATS = 3, kSTRING = 4, kEXPRS = 5 };

void writeAttrs(Writer& w, const ops::Attrs& attrs) {
  w.u32(static_cast<uint32_t>(attrs.values().size()));
  for (const auto& [key, value] : attrs.values()) {
    w.str(key);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            w.u8(static_cast<uint8_t>(AttrTag::kINT));
            w.i64(v);
          } else if constexpr (std::is_same_v<T, double>) {
            w.u8(static_cast<uint8_t>(AttrTag::kFLOAT));
            w.f64(v);
          } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
            w.u8(static_cast<uint8_t>(AttrTag::kINTS));
            w.u32(static_cast<uint32_t>(v.size()));
            for (int64_t x : v) w.i64(x);
          } else if constexpr (std::is_same_v<T, std::vector<double>>) {
            w.u8(static_cast<uint8_t>(AttrTag::kFLOATS));
            w.u32(static_cast<uint32_t>(v.size()));
            for (double x : v) w.f64(x);
          } else if constexpr (std::is_same_v<T, std::string>) {
            w.u8(static_cast<uint8_t>(AttrTag::kSTRING));
            w.str(v);
          } else {
            w.u8(static_cast<uint8_t>(AttrTag::kEXPRS));
            w.u32(static_cast<uint32_t>(v.ids.size()));
            for (int32_t x : v.ids) w.i32(x);
          }
        },
        value);
  }
}

ops::Attrs readAttrs(Reader& r, size_t nbExprs) {
  ops::Attrs attrs;
  uint32_t n = r.count("attribute", kAttributeBytes);
  for (uint32_t i = 0; i < n; ++i) {
    std::string key = r.str();
    auto tag = static_cast<AttrTag>(r.u8());
    switch (tag) {
      case AttrTag::kINT: attrs.setValue(key, r.i64()); break;
      case AttrTag::kFLOAT: attrs.setValue(key, r.f64()); break;
      case AttrTag::kINTS: {
        std::vector<int64_t> v(r.count("attribute value", sizeof(int64_t)));
        for (auto& x : v) x = r.i64();
        attrs.setValue(key, std::move(v));
        break;
      }
      case AttrTag::kFLOATS: {
        std::vector<double> v(r.count("attribute value", sizeof(double)));
        for (auto& x : v) x = r.f64();
        attrs.setValue(key, std::move(v));
        break;
      }
      case AttrTag::kSTRING: attrs.setValue(key, r.str()); break;
      case AttrTag::kEXPRS: {
        ops::ExprList v;
        v.ids.resize(r.count("attribute value", sizeof(int32_t)));
        for (auto& x : v.ids) {
          x = r.i32();
          if (x < 0 || static_cast<size_t>(x) >= nbExprs)
            r.fail("attribute '" + key + "' references a missing expression");
        }
        attrs.setValue(key, std::move(v));
        break;
      }
      default: r.fail("unknown attribute tag " + std::to_string(static_cast<int>(tag)));
    }
  }
  return attrs;
}

// Section 8: the weight recipes of a refittable plan (docs/refit.md).
void writeRecipe(Writer& w, const Plan& p) {
  w.u32(static_cast<uint32_t>(p.recipe.size()));
  for (const auto& n : p.recipe) {
    w.u8(static_cast<uint8_t>(n.op));
    w.i32(static_cast<int32_t>(n.type));
    w.u32(static_cast<uint32_t>(n.dims.size()));
    for (int64_t d : n.dims) w.i64(d);
    w.u32(static_cast<uint32_t>(n.inputs.size()));
    for (int32_t i : n.inputs) w.i32(i);
    w.str(n.name);
    w.u64(n.bytes.size());
    w.raw(n.bytes.data(), n.bytes.size());
    w.u32(static_cast<uint32_t>(n.params.size()));
    for (int64_t v : n.params) w.i64(v);
  }
  w.u32(static_cast<uint32_t>(p.refitConstants.size()));
  for (const auto& c : p.refitConstants) {
    w.i32(c.tensor);
    w.i32(c.node);
  }
}

std::vector<uint8_t> writeMetadata(const Plan& p) {
  Writer w;
  w.str(p.kilnVersion);
  w.str(p.backend);
  w.str(p.target);
  w.u32(p.flags);
  w.u32(static_cast<uint32_t>(p.exprs.size()));
  for (const auto& e : p.exprs) {
    w.u8(static_cast<uint8_t>(e.op));
    w.i64(e.value);
    w.i32(e.a);
    w.i32(e.b);
  }
  w.u32(static_cast<uint32_t>(p.tensors.size()));
  for (const auto& t : p.tensors) {
    w.str(t.name);
    w.i32(static_cast<int32_t>(t.type));
    w.u8(static_cast<uint8_t>(t.kind));
    w.u32(static_cast<uint32_t>(t.dims.size()));
    for (int32_t d : t.dims) w.i32(d);
    w.u64(t.weightsOffset);
    w.u64(t.weightsSize);
  }
  w.u32(static_cast<uint32_t>(p.inputs.size()));
  for (int32_t t : p.inputs) w.i32(t);
  w.u32(static_cast<uint32_t>(p.outputs.size()));
  for (int32_t t : p.outputs) w.i32(t);
  w.u32(static_cast<uint32_t>(p.steps.size()));
  for (const auto& s : p.steps) {
    w.i32(static_cast<int32_t>(s.type));
    w.str(s.name);
    writeAttrs(w, s.attrs);
    w.u32(static_cast<uint32_t>(s.inputs.size()));
    for (int32_t t : s.inputs) w.i32(t);
    w.u32(static_cast<uint32_t>(s.outputs.size()));
    for (int32_t t : s.outputs) w.i32(t);
  }
  w.u32(static_cast<uint32_t>(p.assertions.size()));
  for (const auto& a : p.assertions) {
    w.u8(static_cast<uint8_t>(a.kind));
    w.i32(a.a);
    w.i32(a.b);
    w.str(a.layer);
    w.str(a.message);
  }
  w.u32(static_cast<uint32_t>(p.profiles.size()));
  for (const auto& pr : p.profiles) {
    for (const auto& range : pr.inputs) {
      w.dims(range.min);
      w.dims(range.opt);
      w.dims(range.max);
      w.u32(static_cast<uint32_t>(range.valueMin.size()));
      for (const auto* values : {&range.valueMin, &range.valueOpt, &range.valueMax})
        for (int64_t v : *values) w.i64(v);
    }
    for (uint64_t off : pr.activationOffsets) w.u64(off);
    w.u64(pr.activationBytes);
    w.u32(static_cast<uint32_t>(pr.tactics.size()));
    for (const auto& t : pr.tactics) {
      w.str(t.name);
      w.str(t.data);
    }
  }
  writeRecipe(w, p);
  return std::move(w.bytes());
}

void checkTensorId(Reader& r, int32_t id, size_t nbTensors, bool allowAbsent) {
  if ((allowAbsent && id == -1)) return;
  if (id < 0 || static_cast<size_t>(id) >= nbTensors) r.fail("tensor index " + std::to_string(id) + " out of range");
}

// Every node reads earlier nodes only, and each refit constant is a constant tensor made by a node of its type and
// size.
void readRecipe(Reader& r, Plan& p) {
  r.setSection("weight recipes");
  constexpr size_t kNodeBytes = 1 + 4 + 4 + 4 + 4 + 8 + 4;
  p.recipe.resize(r.count("recipe node", kNodeBytes));
  for (size_t i = 0; i < p.recipe.size(); ++i) {
    RecipeNode& n = p.recipe[i];
    uint8_t op = r.u8();
    if (op > ops::kLastRecipeOp) r.fail("recipe node " + std::to_string(i) + " has an invalid operation");
    n.op = static_cast<ops::RecipeOp>(op);
    int32_t type = r.i32();
    if (!isValidDataType(type)) r.fail("recipe node " + std::to_string(i) + " has an invalid data type");
    n.type = static_cast<DataType>(type);
    n.dims.resize(r.count("dimension", sizeof(int64_t)));
    for (auto& d : n.dims)
      if ((d = r.i64()) < 0) r.fail("recipe node " + std::to_string(i) + " has a negative dimension");
    n.inputs.resize(r.count("recipe input", sizeof(int32_t)));
    for (auto& in : n.inputs)
      if ((in = r.i32()) < -1 || in >= static_cast<int32_t>(i))
        r.fail("recipe node " + std::to_string(i) + " reads node " + std::to_string(in) + ", not an earlier one");
    n.name = r.str();
    uint64_t size = r.u64();
    r.need(size);
    n.bytes.resize(size);
    for (auto& b : n.bytes) b = r.u8();
    n.params.resize(r.count("recipe parameter", sizeof(int64_t)));
    for (auto& v : n.params) v = r.i64();
  }
  p.refitConstants.resize(r.count("refit constant", 2 * sizeof(int32_t)));
  for (auto& c : p.refitConstants) {
    c.tensor = r.i32();
    c.node = r.i32();
    checkTensorId(r, c.tensor, p.tensors.size(), false);
    if (c.node < 0 || c.node >= static_cast<int32_t>(p.recipe.size()))
      r.fail("a refit constant names recipe node " + std::to_string(c.node) + ", which does not exist");
    const TensorDesc& t = p.tensors[c.tensor];
    const RecipeNode& n = p.recipe[c.node];
    uint64_t bytes = dataTypeSize(n.type);
    for (int64_t d : n.dims) bytes = d == 0 ? 0 : bytes <= t.weightsSize / static_cast<uint64_t>(d) ? bytes * d : ~0ull;
    if (t.kind != TensorKind::kCONSTANT || t.type != n.type || bytes != t.weightsSize)
      r.fail("refit constant '" + t.name + "' is not a constant of the type and size its recipe makes");
  }
}

Plan readMetadata(Reader& r, uint64_t weightsSize) {
  Plan p;
  r.setSection("plan metadata");
  p.kilnVersion = r.str();
  p.backend = r.str();
  p.target = r.str();
  p.flags = r.u32();
  r.setSection("shape program");
  p.exprs.resize(r.count("expression", kExpressionBytes));
  for (size_t i = 0; i < p.exprs.size(); ++i) {
    auto& e = p.exprs[i];
    uint8_t op = r.u8();
    if (op >= core::kExprOpCount) r.fail("unknown expression op " + std::to_string(op));
    e.op = static_cast<core::ExprOp>(op);
    e.value = r.i64();
    e.a = r.i32();
    e.b = r.i32();
    bool leaf = core::isLeaf(e.op);
    if (!leaf && (e.a < 0 || e.b < 0 || static_cast<size_t>(e.a) >= i || static_cast<size_t>(e.b) >= i))
      r.fail("expression " + std::to_string(i) + " has operands out of order");
  }
  auto checkExpr = [&](int32_t id) {
    if (id < 0 || static_cast<size_t>(id) >= p.exprs.size())
      r.fail("expression index " + std::to_string(id) + " out of range");
  };
  r.setSection("tensors");
  p.tensors.resize(r.count("tensor", kTensorBytes));
  for (auto& t : p.tensors) {
    t.name = r.str();
    int32_t type = r.i32();
    if (!isValidDataType(type)) r.fail("tensor '" + t.name + "' has an invalid data type");
    t.type = static_cast<DataType>(type);
    uint8_t kind = r.u8();
    if (kind > static_cast<uint8_t>(TensorKind::kCONSTANT)) r.fail("tensor '" + t.name + "' has an invalid kind");
    t.kind = static_cast<TensorKind>(kind);
    t.dims.resize(r.count("dimension", sizeof(int32_t)));
    if (t.dims.size() > static_cast<size_t>(Dims::MAX_DIMS)) r.fail("tensor '" + t.name + "' has rank above 8");
    for (auto& d : t.dims) {
      d = r.i32();
      checkExpr(d);
    }
    t.weightsOffset = r.u64();
    t.weightsSize = r.u64();
    if (t.kind == TensorKind::kCONSTANT &&
        (t.weightsOffset > weightsSize || t.weightsSize > weightsSize - t.weightsOffset))
      r.fail("constant '" + t.name + "' lies outside the weights section");
  }
  r.setSection("io tensors");
  p.inputs.resize(r.count("input", sizeof(int32_t)));
  for (auto& t : p.inputs) {
    t = r.i32();
    checkTensorId(r, t, p.tensors.size(), false);
    if (p.tensors[t].kind != TensorKind::kINPUT) r.fail("input list names a tensor that is not an input");
  }
  p.outputs.resize(r.count("output", sizeof(int32_t)));
  for (auto& t : p.outputs) {
    t = r.i32();
    checkTensorId(r, t, p.tensors.size(), false);
    if (p.tensors[t].kind != TensorKind::kOUTPUT) r.fail("output list names a tensor that is not an output");
  }
  // Shape-program leaves must name an existing input axis: the runtime indexes input shapes with them.
  r.setSection("shape program");
  for (const auto& e : p.exprs) {
    if (e.op != core::ExprOp::kINPUT_DIM) continue;
    int64_t input = e.value / core::kLeafStride, axis = e.value % core::kLeafStride;
    if (e.value < 0 || input >= static_cast<int64_t>(p.inputs.size()) ||
        axis >= static_cast<int64_t>(p.tensors[p.inputs[input]].dims.size()))
      r.fail("an expression names input " + std::to_string(input) + " axis " + std::to_string(axis) +
             ", which does not exist");
  }
  r.setSection("steps");
  p.steps.resize(r.count("step", kStepBytes));
  for (auto& s : p.steps) {
    int32_t type = r.i32();
    if (type < 0 || type >= static_cast<int32_t>(LayerType::kLAYER_TYPE_COUNT))
      r.fail("unknown layer type " + std::to_string(type));
    s.type = static_cast<LayerType>(type);
    s.name = r.str();
    s.attrs = readAttrs(r, p.exprs.size());
    s.inputs.resize(r.count("step input", sizeof(int32_t)));
    for (auto& t : s.inputs) {
      t = r.i32();
      checkTensorId(r, t, p.tensors.size(), true);
    }
    s.outputs.resize(r.count("step output", sizeof(int32_t)));
    for (auto& t : s.outputs) {
      t = r.i32();
      checkTensorId(r, t, p.tensors.size(), false);
    }
  }
  r.setSection("assertions");
  p.assertions.resize(r.count("assertion", kAssertionBytes));
  for (auto& a : p.assertions) {
    uint8_t kind = r.u8();
    if (kind > static_cast<uint8_t>(core::AssertionKind::kGREATER_EQUAL)) r.fail("unknown assertion kind");
    a.kind = static_cast<core::AssertionKind>(kind);
    a.a = r.i32();
    a.b = r.i32();
    checkExpr(a.a);
    checkExpr(a.b);
    a.layer = r.str();
    a.message = r.str();
  }
  r.setSection("profiles");
  p.profiles.resize(r.count("profile", kProfileBytes + sizeof(uint64_t) * p.tensors.size()));
  if (p.profiles.empty()) r.fail("a plan needs at least one profile");
  for (auto& pr : p.profiles) {
    pr.inputs.resize(p.inputs.size());
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      auto& range = pr.inputs[i];
      range.min = r.dims();
      range.opt = r.dims();
      range.max = r.dims();
      size_t rank = p.tensors[p.inputs[i]].dims.size();
      if (static_cast<size_t>(range.min.nbDims) != rank || static_cast<size_t>(range.opt.nbDims) != rank ||
          static_cast<size_t>(range.max.nbDims) != rank)
        r.fail("profile shape rank differs from input '" + p.tensors[p.inputs[i]].name + "'");
      size_t nbValues = r.count("shape value", 3 * sizeof(int64_t));
      for (auto* values : {&range.valueMin, &range.valueOpt, &range.valueMax}) {
        values->resize(nbValues);
        for (auto& v : *values) v = r.i64();
      }
      if (&pr != &p.profiles[0] && nbValues != p.profiles[0].inputs[i].valueMin.size())
        r.fail("profiles disagree on whether '" + p.tensors[p.inputs[i]].name + "' is a shape input");
    }
    pr.activationOffsets.resize(p.tensors.size());
    for (auto& off : pr.activationOffsets) off = r.u64();
    pr.activationBytes = r.u64();
    pr.tactics.resize(r.count("tactic", 2 * sizeof(uint32_t)));
    if (!pr.tactics.empty() && pr.tactics.size() != p.steps.size())
      r.fail("a profile has " + std::to_string(pr.tactics.size()) + " tactics for " + std::to_string(p.steps.size()) +
             " steps");
    for (auto& t : pr.tactics) {
      t.name = r.str();
      t.data = r.str();
    }
  }
  readRecipe(r, p);
  // Value leaves must name an element of a shape input: the runtime indexes the bound values with them.
  r.setSection("shape program");
  for (const auto& e : p.exprs) {
    if (e.op != core::ExprOp::kINPUT_VALUE) continue;
    int64_t input = e.value / core::kLeafStride, element = e.value % core::kLeafStride;
    if (e.value < 0 || input >= static_cast<int64_t>(p.inputs.size()) ||
        element >= static_cast<int64_t>(p.profiles[0].inputs[input].valueMin.size()))
      r.fail("an expression names value " + std::to_string(element) + " of input " + std::to_string(input) +
             ", which is not a shape input with that many values");
  }
  r.setSection("plan metadata");
  if (!r.done()) r.fail("unexpected bytes after the metadata");
  return p;
}

void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) { std::memcpy(b.data() + at, &v, 8); }

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

uint32_t crc(const uint8_t* data, size_t size) {
  uLong c = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    c = crc32(c, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace

std::vector<uint8_t> serialize(const Plan& plan) {
  std::vector<uint8_t> meta = writeMetadata(plan);
  uint64_t metaOffset = kHeaderSize;
  uint64_t weightsOffset = alignUp(metaOffset + meta.size(), kWeightsAlignment);
  uint64_t total = weightsOffset + plan.weights.size();
  std::vector<uint8_t> out(total, 0);
  std::memcpy(out.data(), kMagic, 8);
  put32(out, 8, kFormatVersion);
  put32(out, 12, static_cast<uint32_t>(kHeaderSize));
  put64(out, 16, total);
  put64(out, 32, metaOffset);
  put64(out, 40, meta.size());
  put64(out, 48, weightsOffset);
  put64(out, 56, plan.weights.size());
  std::memcpy(out.data() + metaOffset, meta.data(), meta.size());
  if (!plan.weights.empty()) std::memcpy(out.data() + weightsOffset, plan.weights.data(), plan.weights.size());
  put32(out, 24, crc(out.data() + kHeaderSize, total - kHeaderSize));
  return out;
}

Plan deserialize(const void* data, size_t size) {
  if (size < kHeaderSize)
    throw Error(ErrorCode::kINVALID_PLAN, "truncated: " + std::to_string(size) + " bytes is shorter than the header",
                "plan header");
  if (!data) throw Error(ErrorCode::kINVALID_PLAN, "plan data is null", "plan");
  const auto* bytes = static_cast<const uint8_t*>(data);
  if (std::memcmp(bytes, kMagic, 8) != 0)
    throw Error(ErrorCode::kINVALID_PLAN, "wrong magic: this is not a kiln plan", "plan header");
  Reader header(bytes, kHeaderSize);
  header.setSection("plan header");
  header.u64();  // magic
  uint32_t version = header.u32();
  if (version > kFormatVersion)
    throw Error(ErrorCode::kINVALID_PLAN,
                "format version " + std::to_string(version) + " is newer than this kiln reads (" +
                    std::to_string(kFormatVersion) + "); rebuild the plan or upgrade kiln",
                "plan header");
  if (version < kOldestFormatVersion)
    throw Error(ErrorCode::kINVALID_PLAN,
                "format version " + std::to_string(version) + " is older than this kiln reads (" +
                    std::to_string(kOldestFormatVersion) + " to " + std::to_string(kFormatVersion) +
                    "); rebuild the plan",
                "plan header");
  uint32_t headerSize = header.u32();
  uint64_t total = header.u64();
  uint32_t checksum = header.u32();
  header.u32();
  uint64_t metaOffset = header.u64(), metaSize = header.u64();
  uint64_t weightsOffset = header.u64(), weightsSize = header.u64();
  if (headerSize != kHeaderSize) throw Error(ErrorCode::kINVALID_PLAN, "unexpected header size", "plan header");
  if (total != size)
    throw Error(ErrorCode::kINVALID_PLAN,
                "the plan says it holds " + std::to_string(total) + " bytes but " + std::to_string(size) +
                    " were given (truncated or padded)",
                "plan header");
  if (metaOffset < kHeaderSize || metaOffset > size || metaSize > size - metaOffset || weightsOffset > size ||
      weightsSize > size - weightsOffset || weightsOffset < metaOffset + metaSize || weightsOffset % kWeightsAlignment)
    throw Error(ErrorCode::kINVALID_PLAN, "section offsets lie outside the plan", "plan header");
  if (crc(bytes + kHeaderSize, size - kHeaderSize) != checksum)
    throw Error(ErrorCode::kINVALID_PLAN, "checksum mismatch: the plan is corrupted", "plan");
  Reader meta(bytes + metaOffset, metaSize);
  Plan plan = readMetadata(meta, weightsSize);
  plan.weights.assign(bytes + weightsOffset, bytes + weightsOffset + weightsSize);
  return plan;
}

}  // namespace kiln::plan
