#include "tools/sweep/revision.h"

#include "gpusim_git_revision.h"

namespace gpusim::cli::sweep {

const char* gpusim_revision() { return GPUSIM_GIT_REVISION; }

}  // namespace gpusim::cli::sweep
