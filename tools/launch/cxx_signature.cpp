#include "tools/launch/cxx_signature.h"

#include <array>
#include <utility>

#include "tools/launch/kernel_choice.h"

namespace gpusim::launch {

namespace {

std::string trimmed(const std::string& s) {
  const size_t first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

// C++ scalar types and the --arg type of the same width and kind.
constexpr std::array<std::pair<const char*, const char*>, 16> kScalarTypes{{
    {"float", "f32"},         {"double", "f64"},           {"__half", "f16"},
    {"__nv_bfloat16", "bf16"}, {"int", "s32"},             {"unsigned int", "u32"},
    {"short", "s16"},         {"unsigned short", "u16"},   {"signed char", "s8"},
    {"unsigned char", "u8"},  {"char", "s8"},              {"long", "s64"},
    {"unsigned long", "u64"}, {"long long", "s64"},        {"unsigned long long", "u64"},
    {"bool", "u8"},
}};

// CUDA's vector types passed by value: a struct of their fields (layout and size match).
constexpr std::array<std::pair<const char*, const char*>, 10> kVectorTypes{{
    {"__half2", "struct:f16:X,f16:Y"},           {"__nv_bfloat162", "struct:bf16:X,bf16:Y"},
    {"float2", "struct:f32:X,f32:Y"},            {"float4", "struct:f32:X,f32:Y,f32:Z,f32:W"},
    {"double2", "struct:f64:X,f64:Y"},           {"int2", "struct:s32:X,s32:Y"},
    {"int4", "struct:s32:X,s32:Y,s32:Z,s32:W"},  {"uint2", "struct:u32:X,u32:Y"},
    {"uint4", "struct:u32:X,u32:Y,u32:Z,u32:W"}, {"float3", "struct:f32:X,f32:Y,f32:Z"},
}};

const char* arg_type_of(const std::string& type) {
  for (const auto& [cxx, arg] : kScalarTypes)
    if (type == cxx) return arg;
  return "";
}

}  // namespace

std::vector<std::string> cxx_parameter_types(const std::string& ptx_name) {
  const std::string signature = demangled_kernel_name(ptx_name);
  if (signature == ptx_name) return {};
  // The parameter list is the last top-level parenthesis group; template arguments may hold
  // parentheses of their own, so depth counts every bracket kind.
  size_t open = std::string::npos;
  int depth = 0;
  for (size_t i = 0; i < signature.size(); ++i) {
    const char c = signature[i];
    if (c == '(' && depth == 0) open = i;
    if (c == '<' || c == '(' || c == '[') ++depth;
    if (c == '>' || c == ')' || c == ']') --depth;
  }
  if (open == std::string::npos || signature.back() != ')') return {};
  const std::string list = signature.substr(open + 1, signature.size() - open - 2);
  std::vector<std::string> types;
  std::string current;
  depth = 0;
  for (char c : list) {
    if (c == '<' || c == '(' || c == '[') ++depth;
    if (c == '>' || c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      types.push_back(trimmed(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trimmed(current).empty()) types.push_back(trimmed(current));
  if (types.size() == 1 && types[0] == "void") types.clear();  // f(void)
  return types;
}

std::string suggested_arg_spec(const std::string& type) {
  // The demangler writes `const float*` as "float const*"; top-level const and __restrict__ are
  // not part of a parameter's mangled type.
  std::string t = trimmed(type);
  const bool pointer = !t.empty() && t.back() == '*';
  if (pointer) t = trimmed(t.substr(0, t.size() - 1));
  const bool read_only = t.rfind("const ", 0) == 0 || (t.size() > 6 && t.compare(t.size() - 6, 6, " const") == 0);
  if (t.rfind("const ", 0) == 0) t = t.substr(6);
  if (t.size() > 6 && t.compare(t.size() - 6, 6, " const") == 0) t = t.substr(0, t.size() - 6);
  if (!pointer)
    for (const auto& [cxx, spec] : kVectorTypes)
      if (t == cxx) return spec;
  const std::string arg = arg_type_of(t);
  if (arg.empty()) return "";
  if (!pointer) return arg + ":VALUE";
  if (read_only) return "in:" + arg + ":FILE | zeros:" + arg + ":COUNT";
  return "in:" + arg + ":FILE | out:" + arg + ":COUNT:FILE | inout:" + arg + ":IN:OUT | zeros:" + arg + ":COUNT";
}

}  // namespace gpusim::launch
