#include "isa/kernel_names.h"

#include <cxxabi.h>

#include <cstdlib>
#include <regex>

namespace gpusim::isa {

namespace {

constexpr const char* kAnonymous = "(anonymous namespace)::";

std::string without_anonymous_namespaces(std::string s) {
  for (size_t at; (at = s.find(kAnonymous)) != std::string::npos;) s.erase(at, std::char_traits<char>::length(kAnonymous));
  return s;
}

// "ns::scale<float>" -> "scale".
std::string plain_name(const std::string& qualified) {
  std::string out;
  int depth = 0;
  for (char c : qualified) {
    if (c == '<') ++depth;
    else if (c == '>') --depth;
    else if (depth == 0) out += c;
  }
  const size_t scope = out.rfind("::");
  return scope == std::string::npos ? out : out.substr(scope + 2);
}

std::string strip_namespaces(const std::string& qualified) {
  // "ns::scale<ns::T>" keeps its template arguments whole: only the scopes before the name go.
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i + 1 < qualified.size(); ++i) {
    if (qualified[i] == '<') ++depth;
    else if (qualified[i] == '>') --depth;
    else if (depth == 0 && qualified[i] == ':' && qualified[i + 1] == ':') start = i + 2;
  }
  return qualified.substr(start);
}

// The demangler writes "scale<float, 2>" and "f(int*, float)"; users type "scale<float,2>". Names
// compare with spaces dropped (two identifiers never meet without punctuation in a signature but
// for "unsigned int" and the like, which have no space-free spelling to clash with).
std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += c;
  return out;
}

// The demangler writes "float const*"; source code says "const float*". A leading const moves
// after the type it qualifies ("const unsigned int*" -> "unsigned int const*") so either matches.
std::string east_const(const std::string& s) {
  static const std::regex& leading_const =  // never destroyed: names are matched at exit too
      *new std::regex(R"(\bconst\s+((?:(?:unsigned|signed|short|long)\s+)*[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*))");
  return std::regex_replace(s, leading_const, "$1 const");
}

}  // namespace

std::string demangled_kernel_name(const std::string& ptx_name) {
  if (ptx_name.rfind("_Z", 0) != 0) return ptx_name;
  int status = 0;
  char* d = abi::__cxa_demangle(ptx_name.c_str(), nullptr, nullptr, &status);
  std::string out = status == 0 && d ? d : ptx_name;
  std::free(d);
  return out;
}

std::string readable_function_name(const std::string& ptx_name) {
  std::string s = demangled_kernel_name(ptx_name);
  if (s != ptx_name && s.rfind("void ", 0) == 0) s.erase(0, 5);
  return s;
}

std::string qualified_kernel_name(const std::string& full_signature) {
  // Template arguments may hold parentheses and spaces, so depth is tracked.
  const std::string signature = without_anonymous_namespaces(full_signature);
  int depth = 0;
  size_t start = 0, end = signature.size();
  for (size_t i = 0; i < signature.size(); ++i) {
    const char c = signature[i];
    if (c == '<') ++depth;
    else if (c == '>') --depth;
    else if (c == ' ' && depth == 0) start = i + 1;  // after the return type
    else if (c == '(' && depth == 0) {
      end = i;
      break;
    }
  }
  return signature.substr(start, end - start);
}

int kernel_name_match(const std::string& ptx_name, const std::string& name) {
  if (ptx_name == name) return 0;
  const std::string wanted = without_spaces(east_const(without_anonymous_namespaces(name)));
  const std::string signature = demangled_kernel_name(ptx_name);
  // The signature with or without its return type ("void scale<float>(float*)" and
  // "scale<float>(float*)"; the demangler writes "void" only for template instantiations).
  const auto no_void = [](const std::string& s) { return without_spaces(s.rfind("void ", 0) == 0 ? s.substr(5) : s); };
  const std::string full = without_anonymous_namespaces(signature);
  if (without_spaces(full) == wanted || no_void(full) == no_void(east_const(without_anonymous_namespaces(name)))) return 1;
  const std::string qualified = qualified_kernel_name(signature);
  if (without_spaces(qualified) == wanted || without_spaces(strip_namespaces(qualified)) == wanted) return 2;
  if (plain_name(qualified) == name) return 3;
  return -1;
}

std::string listed_names(const std::vector<std::string>& names) {
  constexpr size_t kMostNames = 20, kMostChars = 120;
  std::string out;
  for (size_t i = 0; i < names.size() && i < kMostNames; ++i) {
    const std::string& n = names[i];
    out += (i ? ", " : "") + (n.size() > kMostChars ? n.substr(0, kMostChars) + "... (" + std::to_string(n.size()) + " characters)" : n);
  }
  if (names.size() > kMostNames) out += ", ... and " + std::to_string(names.size() - kMostNames) + " more";
  return out;
}

}  // namespace gpusim::isa
