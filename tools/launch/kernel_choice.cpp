#include "tools/launch/kernel_choice.h"

#include <cxxabi.h>

#include <cstdlib>

namespace gpusim::launch {

namespace {

// The signature without return type and parameter list: "void ns::scale<float>(float*)" ->
// "ns::scale<float>". Template arguments may hold parentheses and spaces, so depth is tracked.
std::string qualified_name(const std::string& signature) {
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

}  // namespace

std::string demangled_kernel_name(const std::string& ptx_name) {
  if (ptx_name.rfind("_Z", 0) != 0) return ptx_name;
  int status = 0;
  char* d = abi::__cxa_demangle(ptx_name.c_str(), nullptr, nullptr, &status);
  std::string out = status == 0 && d ? d : ptx_name;
  std::free(d);
  return out;
}

std::vector<const isa::Function*> kernels_named(const isa::Module& module, const std::string& name) {
  // Tier 0: the PTX name; 1: the signature; 2: the name with template arguments (with or without
  // namespaces); 3: the plain name.
  std::vector<const isa::Function*> tiers[4];
  const std::string wanted = without_spaces(name);
  for (const isa::Function& f : module.functions) {
    if (!f.is_entry) continue;
    const std::string signature = demangled_kernel_name(f.name);
    const std::string qualified = qualified_name(signature);
    if (f.name == name) tiers[0].push_back(&f);
    else if (without_spaces(signature) == wanted) tiers[1].push_back(&f);
    else if (without_spaces(qualified) == wanted || without_spaces(strip_namespaces(qualified)) == wanted)
      tiers[2].push_back(&f);
    else if (plain_name(qualified) == name) tiers[3].push_back(&f);
  }
  for (auto& tier : tiers)
    if (!tier.empty()) return tier;
  return {};
}

std::string describe_kernel_name(const std::string& ptx_name) {
  const std::string signature = demangled_kernel_name(ptx_name);
  if (signature == ptx_name) return ptx_name;
  return qualified_name(signature) + " (" + ptx_name + ")";
}

}  // namespace gpusim::launch
