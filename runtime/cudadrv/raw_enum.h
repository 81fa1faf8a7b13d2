// The value a program stored in a CUDA enum field, read as its integer: a program may pass any
// number there (the driver must answer CUDA_ERROR_INVALID_VALUE), and loading a value outside the
// enumeration's range through the enum type is undefined behaviour in C++ (UBSan reports it).
#pragma once

#include <cstring>
#include <type_traits>

namespace gpusim::cudadrv {

template <typename Enum>
long long raw_enum_value(const Enum& field) {
  static_assert(std::is_enum_v<Enum>);
  std::underlying_type_t<Enum> value{};
  std::memcpy(&value, &field, sizeof value);
  return static_cast<long long>(value);
}

}  // namespace gpusim::cudadrv
