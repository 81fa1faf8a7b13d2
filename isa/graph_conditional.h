// The device memory behind a conditional graph node's handle (cudaGraphConditionalHandle,
// CUgraphConditionalHandle): the handle is the device address of kConditionalHandleBytes bytes,
// the condition value (u32) followed by kConditionalHandleTag (u32). The runtimes make them
// (cudaGraphConditionalHandleCreate); a kernel's cudaGraphSetConditional writes the value after
// checking the tag, so a handle that is no handle is an error naming the call, not a stray store.
#pragma once

#include <cstdint>

namespace gpusim::isa {

constexpr uint32_t kConditionalHandleTag = 0x646e6f43;  // "Cond" in little-endian bytes
constexpr uint64_t kConditionalHandleBytes = 8;
constexpr uint64_t kConditionalTagOffset = 4;

}  // namespace gpusim::isa
