// The git revision gpusim was built from (`git describe --always --dirty`), recorded with every
// sweep result; "unknown" outside a git checkout.
#pragma once

namespace gpusim::cli::sweep {

const char* gpusim_revision();

}  // namespace gpusim::cli::sweep
