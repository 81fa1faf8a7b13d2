// The value a program stored in a CUDA enum argument or field (CUmem_range_attribute,
// cudaMemcpyKind, cudaLimit...), read as its integer: a program may pass any number there (the
// libraries must answer with an invalid-value error), and loading a value outside the
// enumeration's range through the enum type is undefined behaviour in C++ (UBSan reports it).
// Both libraries (libcuda and libcudart) read every enum a program hands them through this.
#pragma once

#include <cstring>
#include <type_traits>

namespace gpusim::runtime {

template <typename Enum>
long long raw_enum_value(const Enum& field) {
  static_assert(std::is_enum_v<Enum>);
  std::underlying_type_t<Enum> value{};
  std::memcpy(&value, &field, sizeof value);
  return static_cast<long long>(value);
}

}  // namespace gpusim::runtime
