#include "npy_header.h"

#include <set>

#include "kiln/error.h"
#include "text_parsing.h"

namespace kiln::cli {

namespace {

// A cursor over the header text; every read checks the bounds and fails with what it expected.
class HeaderReader {
 public:
  HeaderReader(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCode::kINVALID_ARGUMENT, "bad .npy header: " + what, name_);
  }

  // Skips whitespace, then consumes `c` if it comes next.
  bool take(char c) {
    skipSpace();
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  void expect(char c, const std::string& context) {
    if (!take(c)) fail(std::string("expected '") + c + "' " + context);
  }

  // Skips whitespace and tells whether `c` comes next, without consuming it.
  bool peek(char c) {
    skipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  bool atEnd() {
    skipSpace();
    return pos_ == text_.size();
  }

  // A Python string literal in single or double quotes (numpy writes no escapes in these).
  std::string quoted(const std::string& what) {
    skipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail(what + " is not a string");
    char quote = text_[pos_];
    size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail(what + " is an unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return value;
  }

  bool boolean(const std::string& what) {
    skipSpace();
    for (std::string_view word : {"True", "False"}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return word == "True";
      }
    }
    fail(what + " is not True or False");
  }

  // A tuple of dimensions: "()", "(3,)", "(2, 3)".
  Dims shape() {
    expect('(', "before the value of 'shape' (a tuple)");
    Dims dims;
    while (!take(')')) {
      if (dims.nbDims == Dims::MAX_DIMS) fail("the shape has a rank above " + std::to_string(Dims::MAX_DIMS));
      dims.d[dims.nbDims++] = dimension();
      if (!take(',')) {
        expect(')', "after a dimension of the shape");
        break;
      }
    }
    return dims;
  }

 private:
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
  }

  int64_t dimension() {
    skipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ')' && text_[pos_] != ' ') ++pos_;
    std::string_view token = text_.substr(start, pos_ - start);
    Decimal number = parseNonNegativeDecimal(token);
    if (number.status == DecimalStatus::kTOO_LARGE) fail("dimension " + forMessage(token) + " is too large");
    if (number.status != DecimalStatus::kOK) {
      if (!token.empty() && token[0] == '-' &&
          parseNonNegativeDecimal(token.substr(1)).status != DecimalStatus::kNOT_A_NUMBER)
        fail("negative dimension " + forMessage(token) + " in the shape");
      fail("the shape holds " + quotedForMessage(token) + " where a dimension (a non-negative integer) belongs");
    }
    return number.value;
  }

  std::string_view text_;
  const std::string& name_;
  size_t pos_ = 0;
};

}  // namespace

NpyHeader parseNpyHeader(std::string_view text, const std::string& name) {
  HeaderReader reader(text, name);
  reader.expect('{', "at its start (the header is not a dict)");
  NpyHeader header;
  std::set<std::string> seen;
  while (!reader.take('}')) {
    std::string key = reader.quoted("a key of the dict");
    std::string shown = quotedForMessage(key);
    if (!seen.insert(key).second) reader.fail("the key " + shown + " is given twice");
    reader.expect(':', "after the key " + shown);
    if (key == "descr" && reader.peek('['))
      reader.fail("'descr' is a list of fields: structured dtypes are not supported");
    else if (key == "descr")
      header.descr = reader.quoted("'descr'");
    else if (key == "fortran_order")
      header.fortranOrder = reader.boolean("'fortran_order'");
    else if (key == "shape")
      header.shape = reader.shape();
    else
      reader.fail("unknown key " + shown + " (a .npy header has 'descr', 'fortran_order' and 'shape')");
    if (!reader.take(',')) {
      reader.expect('}', "after the value of " + shown);
      break;
    }
  }
  if (!reader.atEnd()) reader.fail("text after the closing '}'");
  for (const char* key : {"descr", "fortran_order", "shape"})
    if (!seen.count(key)) reader.fail(std::string("no '") + key + "' key");
  return header;
}

}  // namespace kiln::cli
