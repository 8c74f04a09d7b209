// Layer attributes: a small key/value map, serialized into plans as is, read and written through typed keys.
//
// Each op's schema (src/ops/<family>.h) names its attributes as typed constants: a ValueAttr (an integer, a float, a
// flag or an enum) is required, or optional with the default it reads as when absent; a ListAttr (integers, floats, a
// string, expressions) is required, or optional (kOptional) and then reads as empty when absent. A read of a required
// attribute that is absent, or of any attribute that holds another type, throws kiln::Error naming the op and the
// key: a typo or a wrong type never passes as a fallback value.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/symbolic.h"
#include "kiln/error.h"
#include "kiln/layers.h"

namespace kiln::ops {

// Expressions evaluated at run time (slice starts of a dynamic slice, a global pooling window, ...).
struct ExprList {
  std::vector<core::ExprId> ids;
  bool operator==(const ExprList&) const = default;
};

// What an attribute holds, as plans store it: integers, flags and enums as int64_t, floats as double.
using AttrValue = std::variant<int64_t, double, std::vector<int64_t>, std::vector<double>, std::string, ExprList>;

// How a key's C++ type is held in an AttrValue.
template <typename T>
struct AttrCodec {
  using Stored = T;  // lists and strings are stored as they are
  static Stored store(T value) { return value; }
  static T load(const Stored& value) { return value; }
};
template <typename T>
requires std::is_integral_v<T> || std::is_enum_v<T>
struct AttrCodec<T> {
  using Stored = int64_t;
  static Stored store(T value) { return static_cast<int64_t>(value); }
  static T load(int64_t value) {
    if constexpr (std::is_same_v<T, bool>)
      return value != 0;
    else
      return static_cast<T>(value);
  }
};
template <>
struct AttrCodec<std::vector<core::ExprId>> {
  using Stored = ExprList;
  static Stored store(std::vector<core::ExprId> ids) { return ExprList{std::move(ids)}; }
  static std::vector<core::ExprId> load(const ExprList& list) { return list.ids; }
};

enum class Presence : uint8_t { kRequired, kOptional };
inline constexpr Presence kOptional = Presence::kOptional;

// An attribute holding one value: required ({"axes"}), optional with the default it reads as when absent
// ({"groups", 1}), or optional where being absent means something no value does ({"postActivation", kOptional}: no
// activation), read with find().
template <typename T>
struct ValueAttr {
  using Value = T;
  // Explicit: a string never passes for a key where one is expected; keys are declared in the op schemas.
  constexpr explicit ValueAttr(const char* name) : name(name) {}
  constexpr explicit ValueAttr(const char* name, T fallback)
      : name(name), fallback(fallback), presence(Presence::kOptional) {}
  constexpr explicit ValueAttr(const char* name, Presence presence) : name(name), presence(presence) {}

  constexpr bool required() const { return presence == Presence::kRequired; }
  constexpr bool hasDefault() const { return fallback.has_value(); }
  T whenAbsent() const { return *fallback; }

  const char* name;
  std::optional<T> fallback;
  Presence presence = Presence::kRequired;
};

// An attribute holding a sequence: required ({"window"}), or optional and empty when absent ({"stride", kOptional}).
template <typename T>
struct ListAttr {
  using Value = T;
  constexpr bool required() const { return presence == Presence::kRequired; }
  constexpr bool hasDefault() const { return !required(); }
  T whenAbsent() const { return T{}; }

  const char* name;
  Presence presence = Presence::kRequired;
};

using IntAttr = ValueAttr<int64_t>;
using FloatAttr = ValueAttr<double>;
using BoolAttr = ValueAttr<bool>;
template <typename E>
using EnumAttr = ValueAttr<E>;
using IntsAttr = ListAttr<std::vector<int64_t>>;
using FloatsAttr = ListAttr<std::vector<double>>;
using StringAttr = ListAttr<std::string>;
using ExprsAttr = ListAttr<std::vector<core::ExprId>>;

template <typename K>
concept AttrKey = requires(const K& key) {
  typename K::Value;
  { key.name } -> std::convertible_to<const char*>;
  { key.required() } -> std::same_as<bool>;
  { key.hasDefault() } -> std::same_as<bool>;
};

// The op that attributes belong to, which the errors of typed reads name.
struct OpRef {
  LayerType type = LayerType::kLAYER_TYPE_COUNT;
  std::string_view name;                       // the layer's or the plan step's; may be empty
  ErrorCode code = ErrorCode::kINVALID_GRAPH;  // kINVALID_PLAN for a step read from a plan
};

class Attrs {
 public:
  // The attribute's value; its default (or empty) when an optional one is absent. Throws kiln::Error naming `op`
  // and the key when it is absent without a default (a required attribute) or holds another type.
  template <AttrKey K>
  typename K::Value get(const K& key, const OpRef& op) const {
    if (auto value = find(key, op)) return *std::move(value);
    if (!key.hasDefault()) missing(key.name, key.required(), op);
    return key.whenAbsent();
  }
  // The attribute's value, nullopt when it is absent (required or not); throws as get() for another type.
  template <AttrKey K>
  std::optional<typename K::Value> find(const K& key, const OpRef& op) const {
    using Codec = AttrCodec<typename K::Value>;
    const AttrValue* value = lookup(key.name);
    if (!value) return std::nullopt;
    const auto* stored = std::get_if<typename Codec::Stored>(value);
    if (!stored) mistyped(key.name, *value, indexOf<typename Codec::Stored>(), op);
    return Codec::load(*stored);
  }
  template <AttrKey K>
  bool has(const K& key) const {
    return lookup(key.name) != nullptr;
  }
  template <AttrKey K>
  void set(const K& key, typename K::Value value) {
    values_.insert_or_assign(key.name, AttrCodec<typename K::Value>::store(std::move(value)));
  }
  template <AttrKey K>
  void erase(const K& key) {
    if (auto it = values_.find(std::string_view(key.name)); it != values_.end()) values_.erase(it);
  }

  // Every attribute of `other`, replacing those of the same key (a layer's derived attributes into its step).
  void merge(const Attrs& other);
  // Untyped, for code that carries attributes whatever they are (plan files, renumbered expressions).
  void setValue(std::string key, AttrValue value) { values_.insert_or_assign(std::move(key), std::move(value)); }
  const std::map<std::string, AttrValue, std::less<>>& values() const { return values_; }
  // "key=value key=[1,2]" for inspection.
  std::string toString() const;
  bool operator==(const Attrs&) const = default;

 private:
  template <typename S, size_t I = 0>
  static constexpr size_t indexOf() {
    if constexpr (std::is_same_v<S, std::variant_alternative_t<I, AttrValue>>)
      return I;
    else
      return indexOf<S, I + 1>();
  }
  const AttrValue* lookup(std::string_view key) const;
  [[noreturn]] static void missing(const char* key, bool required, const OpRef& op);
  [[noreturn]] static void mistyped(const char* key, const AttrValue& held, size_t wantedIndex, const OpRef& op);

  std::map<std::string, AttrValue, std::less<>> values_;
};

// An op's attributes with the op they belong to, for typed reads that name it when they fail.
class OpAttrs {
 public:
  OpAttrs(const Attrs& attrs, OpRef op) : attrs_(&attrs), op_(op) {}

  template <AttrKey K>
  typename K::Value get(const K& key) const {
    return attrs_->get(key, op_);
  }
  template <AttrKey K>
  std::optional<typename K::Value> find(const K& key) const {
    return attrs_->find(key, op_);
  }
  template <AttrKey K>
  bool has(const K& key) const {
    return attrs_->has(key);
  }
  const Attrs& attrs() const { return *attrs_; }
  const OpRef& op() const { return op_; }

 private:
  const Attrs* attrs_;
  OpRef op_;
};

}  // namespace kiln::ops
