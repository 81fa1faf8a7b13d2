// The git revision gpusim was built from (`git describe --always --dirty`): `gpusim --version`,
// every --stats file and every sweep result record it, so a figure can be traced to the code that
// made it; "unknown" outside a git checkout.
#pragma once

namespace gpusim::sim {

const char* build_revision();

}  // namespace gpusim::sim
