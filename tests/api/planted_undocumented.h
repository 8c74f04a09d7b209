// Input of the doc-comment check's self-test: undocumented declarations of every kind the check looks at, which it
// must report (planted_undocumented.expected lists the reports), beside documented and private ones it must accept.
#pragma once

// The layout below (two enumerators on a line, blank lines) is part of the test: clang-format must leave it.
// clang-format off

#include <cstdint>
#include <string>

namespace planted {

class Forward;  // forward declarations need no comment

int undocumentedFunction(int value);
// Documented.
int documentedFunction(int value);

enum class Undocumented : int32_t { kA, kB };

// Documented; its enumerators share its line, so its comment covers them.
enum class OneLine : int32_t { kA, kB };

// Documented enum with enumerator groups.
enum class Grouped : int32_t {
  // A group: kFIRST and kSECOND.
  kFIRST,
  kSECOND,

  kAFTER_BLANK,  // trailing comments document one enumerator
  kNOT_GROUPED,
  kX, kY,
};

class UndocumentedClass {
 public:
  int a;
};

// Documented.
class Documented {
 public:
  // Documented.
  Documented();

  ~Documented();
  Documented(const Documented&) = delete;
  // Documented.
  void documented();

  void undocumented();
  std::string undocumentedInline() const { return {}; }

  int undocumentedField;
  int documentedField;  // trailing comment
  using Alias = int;
  // Documented.
  bool operator==(const Documented& other) const;

  bool operator<(const Documented& other) const;
  // Documented.
  template <typename T>
  T documentedTemplate() const;

  template <typename T>
  T undocumentedTemplate() const;

  // Documented nested struct.
  struct Nested {
    int undocumentedNestedField;
  };

 protected:
  void undocumentedProtected();

 private:
  friend class Forward;
  void privateNeedsNoComment();
  int privateField_;
  struct Impl;
};

// Documented.
class Derived : public Documented {
  using Documented::Documented;  // inherited constructors need no comment
};

}  // namespace planted
