// The fallback of every runtime entry point gpusim does not implement (see
// generate_unimplemented.cmake): says so once per function, returns cudaErrorNotSupported.
#pragma once

namespace gpusim::cudart {
int unimplemented(const char* function);
}
