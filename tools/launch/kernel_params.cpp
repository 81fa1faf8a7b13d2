#include "tools/launch/kernel_params.h"

#include <sstream>

#include "tools/launch/cxx_signature.h"
#include "tools/launch/kernel_choice.h"

namespace gpusim::launch {

namespace {

constexpr size_t kDevicePointerBytes = 8;  // buffers are passed as 64-bit device addresses

size_t arg_bytes(const ArgSpec& a) {
  if (const auto* s = std::get_if<ScalarArg>(&a.value)) return s->bytes.size();
  return kDevicePointerBytes;
}

// "an f32", "an s8", "a u16", "a b32": the article as the type name is spoken.
std::string with_article(ElementType t) {
  const std::string name = element_type_name(t);
  return (name[0] == 'f' || name[0] == 's' ? "an " : "a ") + name;
}

std::string describe_arg(const ArgSpec& a) {
  if (const auto* s = std::get_if<ScalarArg>(&a.value); s && s->struct_fields)
    return "a struct of " + std::to_string(s->struct_fields) + (s->struct_fields == 1 ? " field" : " fields") +
           " is " + std::to_string(s->bytes.size()) + " bytes in C layout";
  if (const auto* s = std::get_if<ScalarArg>(&a.value))
    return with_article(s->type) + " scalar is " + std::to_string(s->bytes.size()) +
           (s->bytes.size() == 1 ? " byte" : " bytes");
  return "a buffer is passed as a 64-bit device address (8 bytes)";
}

}  // namespace

std::string describe_param(const isa::Symbol& p) {
  std::ostringstream os;
  const unsigned elem_bytes = isa::type_bits(p.elem) / 8;
  os << p.name << " (." << isa::type_name(p.elem);
  if (elem_bytes != 0 && p.size != elem_bytes) os << "[" << p.size / elem_bytes << "]";
  os << ", " << p.size << (p.size == 1 ? " byte)" : " bytes)");
  return os.str();
}

std::vector<std::string> check_kernel_args(const isa::Module& module, const isa::Function& kernel,
                                           const std::vector<ArgSpec>& args) {
  const std::vector<uint32_t>& params = kernel.params;
  if (args.size() != params.size()) {
    std::ostringstream os;
    os << "kernel '" << describe_kernel_name(kernel.name) << "' takes " << params.size() << (params.size() == 1 ? " parameter" : " parameters")
       << ", " << args.size() << " --arg given:";
    const std::vector<std::string> cxx_types = cxx_parameter_types(kernel.name);
    // At most 64 rows: a kernel of 200,000 parameters gave a 9.5 MB message (an outside tester).
    constexpr size_t kMostRows = 64;
    const size_t rows = std::max(args.size(), params.size());
    for (size_t i = 0; i < rows && i < kMostRows; ++i) {
      os << "\n  " << i << ": " << (i < params.size() ? describe_param(module.symbols[params[i]]) : "(no parameter)");
      if (i < params.size() && cxx_types.size() == params.size()) os << " " << cxx_types[i];
      os << "  <-  " << (i < args.size() ? "'" + args[i].text + "'" : "(missing)");
      if (i >= args.size() && i < params.size() && cxx_types.size() == params.size()) {
        const std::string spec = suggested_arg_spec(cxx_types[i]);
        if (!spec.empty()) os << "  e.g. --arg " << spec;
      }
    }
    if (rows > kMostRows) os << "\n  ... and " << rows - kMostRows << " more (gpusim ptx FILE lists every parameter)";
    throw ArgSpecError(os.str());
  }
  std::vector<std::string> notes;
  const std::vector<std::string> cxx_types = cxx_parameter_types(kernel.name);
  // "x_param_1 (.f64, 8 bytes), double in C++; e.g. --arg f64:VALUE" where the name says the type.
  auto param_text = [&](size_t i) {
    std::string text = describe_param(module.symbols[params[i]]);
    if (cxx_types.size() != params.size()) return text;
    text += ", " + cxx_types[i] + " in C++";
    const std::string spec = suggested_arg_spec(cxx_types[i]);
    return spec.empty() ? text : text + " (e.g. --arg " + spec + ")";
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const isa::Symbol& p = module.symbols[params[i]];
    const ArgSpec& a = args[i];
    if (arg_bytes(a) != p.size)
      throw ArgSpecError("argument " + std::to_string(i) + " ('" + a.text + "'): kernel '" +
                         describe_kernel_name(kernel.name) + "' parameter " + std::to_string(i) + " is " + param_text(i) +
                         "; " + describe_arg(a));
    const bool param_float = isa::type_is_float(p.elem);
    const bool param_integer = isa::type_is_signed(p.elem) ||
                               (p.elem >= isa::DataType::U8 && p.elem <= isa::DataType::U64);
    bool arg_float = false, arg_integer = false;
    if (const auto* s = std::get_if<ScalarArg>(&a.value); s && s->struct_fields) {
      continue;  // a struct's fields are its own; its size matched
    } else if (s) {
      arg_float = element_kind(s->type) == ElementKind::Float;
      arg_integer = element_kind(s->type) == ElementKind::Signed || element_kind(s->type) == ElementKind::Unsigned;
    } else {
      arg_integer = true;  // an address
    }
    if ((param_float && arg_integer) || (param_integer && arg_float)) {
      const char* kind = arg_float ? "a float" : a.is_buffer() ? "an address" : "an integer";
      notes.push_back("argument " + std::to_string(i) + " ('" + a.text + "') is " + kind + " for kernel '" +
                      describe_kernel_name(kernel.name) + "' parameter " + param_text(i) + ": its bits are passed unchanged");
    }
  }
  return notes;
}

}  // namespace gpusim::launch
