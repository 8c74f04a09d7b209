// Lists the public declarations of headers that lack a doc comment, and fails when there is one.
//
// Usage: kiln_doc_comments <header or folder>...   (a folder: every *.h in it)
//
// A declaration is documented by a comment line directly above it (its first line, or its template line); a field,
// type alias or enumerator may instead carry a comment at the end of its line. Enumerators may be documented in
// groups: one comment line above the first covers the enumerators on the lines directly below it, up to a blank
// line, a comment or an enumerator with its own trailing comment; and the enumerators of an enum written on one line
// (`enum class PoolingType : int32_t { kMAX, kAVERAGE };`) are covered by the enum's comment. Otherwise each
// enumerator needs its own line.
// Checked: classes, structs and enums with a body, functions (constructors, destructors and operators included),
// fields, type aliases and enumerators, at namespace scope and in the public and protected parts of classes. Not
// checked: private members, deleted functions, friend declarations, forward declarations and inherited constructors
// (`using Base::Base;`), which add nothing to document. This is a small parser of the declarations kiln's headers
// use, not a C++ front end: macros are not expanded and a construct it does not know may be misread, which the
// self-test (tests/api/planted_undocumented.h) guards for the constructs that matter.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

enum class Access { kPUBLIC, kPROTECTED, kPRIVATE };
enum class ScopeKind { kNAMESPACE, kCLASS, kENUM, kBODY, kINITIALIZER };

struct Scope {
  ScopeKind kind;
  Access access = Access::kPUBLIC;
  bool hidden = false;  // inside a private part: nothing in it is public
  int line = 0;         // where an enum's body opens: enumerators on that line share the enum's comment
};

struct Line {
  bool commentOnly = false;      // the line holds a comment and no code
  bool trailingComment = false;  // code, then a comment
  int enumerators = 0;           // enumerators that start on this line
};

struct Missing {
  int line;
  std::string what;
  std::string name;
  std::string problem;
};

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Collapses runs of white space, so that patterns see one space between tokens.
std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return trim(out);
}

// What a statement declares ("" when it declares nothing that needs a comment) and its name.
struct Declaration {
  std::string what;
  std::string name;
};

std::string lastIdentifier(const std::string& text) {
  static const std::regex identifier(R"(([A-Za-z_~][A-Za-z_0-9]*|operator\s*\S+?)\s*$)");
  std::smatch m;
  return std::regex_search(text, m, identifier) ? trim(m[1].str()) : text;
}

Declaration classifyStatement(const std::string& raw, bool opensBody) {
  std::string s = squeeze(raw);
  // Attributes and templates say nothing about what is declared.
  s = std::regex_replace(s, std::regex(R"(\[\[[^\]]*\]\]\s*)"), "");
  s = std::regex_replace(s, std::regex(R"(^template ?<[^>]*> ?)"), "");
  if (s.empty() || s.rfind("friend ", 0) == 0 || s.rfind("static_assert", 0) == 0) return {};
  std::smatch m;
  if (std::regex_search(s, m, std::regex(R"(^enum( class| struct)? ([A-Za-z_0-9]+))")))
    return {opensBody ? "enum" : "", m[2].str()};
  if (std::regex_search(s, m, std::regex(R"(^(class|struct|union) ([A-Za-z_0-9]+))")))
    return {opensBody ? m[1].str() : "", m[2].str()};  // without a body, a forward declaration
  if (s.rfind("using ", 0) == 0) {
    if (s.find('=') == std::string::npos) return {};  // using Base::Base; or using Base::member;
    std::regex_search(s, m, std::regex(R"(^using ([A-Za-z_0-9]+))"));
    return {"type alias", m[1].str()};
  }
  if (s.rfind("typedef ", 0) == 0) return {"type alias", lastIdentifier(s)};
  size_t paren = s.find('(');
  if (paren != std::string::npos) {
    if (std::regex_search(s, std::regex(R"(\)\s*(const\s*)?(noexcept\s*)?=\s*delete$)"))) return {};
    return {"function", lastIdentifier(s.substr(0, paren))};
  }
  std::string field = s.substr(0, std::min(s.find('='), s.find('[')));
  return {"field", lastIdentifier(trim(field))};
}

std::vector<Missing> check(const std::string& text) {
  // First pass: which lines hold only a comment, which end in one.
  std::vector<Line> lines(1);
  {
    std::istringstream in(text);
    std::string line;
    bool inBlock = false;
    while (std::getline(in, line)) {
      Line info;
      std::string t = trim(line);
      bool code = false, comment = inBlock;
      for (size_t i = 0; i < t.size(); ++i) {
        if (inBlock) {
          if (t.compare(i, 2, "*/") == 0) inBlock = false, ++i;
          continue;
        }
        if (t.compare(i, 2, "//") == 0) {
          comment = true;
          break;
        }
        if (t.compare(i, 2, "/*") == 0) {
          inBlock = comment = true;
          ++i;
          continue;
        }
        code = true;
      }
      info.commentOnly = comment && !code;
      info.trailingComment = comment && code;
      lines.push_back(info);
    }
  }

  // Second pass: statements, scopes and enumerators.
  std::vector<Missing> missing;
  std::vector<Scope> scopes{{ScopeKind::kNAMESPACE}};
  std::string statement;
  int statementLine = 0;
  int line = 1;
  bool skipToSemicolon = false;  // after the `}` of a class or enum, up to its `;`
  int groupLine = -1;            // the line of the last enumerator of a group opened by a comment line above it
  std::vector<std::pair<int, std::string>> enumerators;  // of the enum being read, checked when it closes

  auto visible = [&] {
    const Scope& s = scopes.back();
    return !s.hidden && s.access != Access::kPRIVATE;
  };
  auto require = [&](int at, const Declaration& d) {
    if (d.what.empty()) return;
    bool above = at > 1 && lines[at - 1].commentOnly;
    bool trailing = d.what != "function" && lines[at].trailingComment;
    bool alone = d.what != "enumerator" || lines[at].enumerators == 1;
    if (d.what == "enumerator" && alone) {
      bool grouped = !above && !trailing && groupLine == at - 1;
      groupLine = (above && !trailing) || grouped ? at : -1;
      if (grouped) return;
    }
    if (!alone)
      missing.push_back({at, d.what, d.name, "shares its line with another enumerator"});
    else if (!above && !trailing)
      missing.push_back({at, d.what, d.name, "has no doc comment"});
  };
  auto endEnumerator = [&] {
    std::string name = trim(statement.substr(0, statement.find('=')));
    bool onEnumLine = statementLine == scopes.back().line;
    if (!name.empty() && visible() && !onEnumLine) enumerators.emplace_back(statementLine, name);
    statement.clear();
  };
  auto append = [&](char c) {
    if (statement.empty() && std::isspace(static_cast<unsigned char>(c))) return;
    if (statement.empty()) {
      statementLine = line;
      if (scopes.back().kind == ScopeKind::kENUM) ++lines[line].enumerators;
    }
    statement += c;
  };

  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      if (!statement.empty()) statement += ' ';
      continue;
    }
    // Comments, preprocessor lines and literals carry no declarations.
    if (text.compare(i, 2, "//") == 0) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if (text.compare(i, 2, "/*") == 0) {
      size_t end = text.find("*/", i + 2);
      for (size_t j = i; j < std::min(end, text.size()); ++j) line += text[j] == '\n';
      i = end == std::string::npos ? text.size() : end + 1;
      continue;
    }
    if (c == '#' && statement.empty()) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      append(c);
      for (++i; i < text.size() && text[i] != c; ++i) {
        if (text[i] == '\\') statement += text[i++];
        statement += text[i];
      }
      statement += c;
      continue;
    }

    ScopeKind kind = scopes.back().kind;
    if (kind == ScopeKind::kBODY || kind == ScopeKind::kINITIALIZER) {
      if (c == '{') scopes.push_back({kind});
      if (c == '}') {
        scopes.pop_back();
        if (kind == ScopeKind::kBODY && scopes.back().kind != ScopeKind::kBODY) statement.clear();
        if (kind == ScopeKind::kINITIALIZER) statement += c;
      }
      if (kind == ScopeKind::kINITIALIZER && c != '}') statement += c;
      continue;
    }
    if (kind == ScopeKind::kENUM) {
      if (c == ',') {
        endEnumerator();
      } else if (c == '}') {
        endEnumerator();
        // Checked once the enum is read, when it is known which lines hold several enumerators.
        for (const auto& [at, name] : enumerators) require(at, {"enumerator", name});
        enumerators.clear();
        scopes.pop_back();
        skipToSemicolon = true;
      } else {
        append(c);
      }
      continue;
    }
    if (skipToSemicolon) {
      if (c == ';') skipToSemicolon = false;
      continue;
    }
    if (c == ':' && kind == ScopeKind::kCLASS) {
      if (text.compare(i, 2, "::") == 0) {
        statement += "::";
        ++i;
        continue;
      }
      std::string label = trim(statement);
      if (label == "public" || label == "protected" || label == "private") {
        scopes.back().access = label == "public"      ? Access::kPUBLIC
                               : label == "protected" ? Access::kPROTECTED
                                                      : Access::kPRIVATE;
        statement.clear();
        continue;
      }
    }
    if (c == '{') {
      std::string s = squeeze(statement);
      if (s.rfind("namespace", 0) == 0) {
        scopes.push_back({ScopeKind::kNAMESPACE, Access::kPUBLIC, !visible()});
        statement.clear();
        continue;
      }
      // A brace inside parentheses (a default argument) or after `=` initializes; it opens no scope of its own.
      bool inParentheses = std::count(s.begin(), s.end(), '(') > std::count(s.begin(), s.end(), ')');
      Declaration d = inParentheses ? Declaration{"field", ""} : classifyStatement(s, true);
      if (d.what == "function") {
        if (visible()) require(statementLine, d);
        scopes.push_back({ScopeKind::kBODY});
        continue;
      }
      if (d.what == "enum") {
        if (visible()) require(statementLine, d);
        scopes.push_back({ScopeKind::kENUM, Access::kPUBLIC, !visible(), line});
        groupLine = -1;
        statement.clear();
        continue;
      }
      if (d.what == "class" || d.what == "struct" || d.what == "union") {
        if (visible()) require(statementLine, d);
        bool hidden = !visible();
        scopes.push_back({ScopeKind::kCLASS, d.what == "class" ? Access::kPRIVATE : Access::kPUBLIC, hidden});
        statement.clear();
        continue;
      }
      // A brace initializer: part of the statement.
      statement += c;
      scopes.push_back({ScopeKind::kINITIALIZER});
      continue;
    }
    if (c == '}') {
      bool wasClass = kind == ScopeKind::kCLASS;
      if (scopes.size() > 1) scopes.pop_back();
      statement.clear();
      skipToSemicolon = wasClass;
      continue;
    }
    if (c == ';') {
      if (visible()) require(statementLine, classifyStatement(statement, false));
      statement.clear();
      continue;
    }
    append(c);
  }
  return missing;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: kiln_doc_comments <header or folder>...\n";
    return 2;
  }
  std::vector<std::filesystem::path> headers;
  for (int a = 1; a < argc; ++a) {
    std::filesystem::path path(argv[a]);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path))
        if (entry.path().extension() == ".h") headers.push_back(entry.path());
    } else if (std::filesystem::exists(path)) {
      headers.push_back(path);
    } else {
      std::cerr << path.string() << ": no such file or folder\n";
      return 2;
    }
  }
  std::sort(headers.begin(), headers.end());
  size_t total = 0;
  for (const auto& header : headers) {
    std::ifstream in(header);
    std::stringstream text;
    text << in.rdbuf();
    for (const Missing& m : check(text.str())) {
      std::cout << header.string() << ":" << m.line << ": " << m.what << " '" << m.name << "' " << m.problem << "\n";
      ++total;
    }
  }
  if (total > 0) {
    std::cout << total << " public declaration(s) in " << headers.size() << " header(s) lack a doc comment\n";
    return 1;
  }
  std::cout << "every public declaration in " << headers.size() << " header(s) has a doc comment\n";
  return 0;
}
