// Variables initialized with other variables' addresses (`__device__ int* p = table + 2;`, a
// string table `__device__ const char* names[] = {"a", "b"}`, a packed struct's pointer bytes):
// the parser leaves zeros and a Symbol::InitAddress where each address goes, and the loader,
// once the module's .global variables have their place, writes them with this.
#pragma once

#include <cstdint>

#include "isa/ir.h"

namespace gpusim::isa {

// Writes every Symbol::init_addresses entry of `m` into its symbol's `init` bytes: a .global
// variable lies at global_base + offset (its generic address too), a .const one at its offset in
// the constant bank, generically at const_generic_base + offset (as on a GPU, where the constant
// bank is global memory, nvcc reads such a pointer with ld.global); then the addend, and a byte
// mask's bits shifted down to bit 0, cut to the element's width (little-endian).
void write_init_addresses(Module& m, uint64_t global_base, uint64_t const_generic_base);

// Whether some initializer holds the generic address of a .const variable (the loader then needs
// the constant bank in device memory before write_init_addresses).
bool init_addresses_need_const_memory(const Module& m);

}  // namespace gpusim::isa
