#include "sim/build_revision.h"

#include "gpusim_git_revision.h"

namespace gpusim::sim {

const char* build_revision() { return GPUSIM_GIT_REVISION; }

}  // namespace gpusim::sim
