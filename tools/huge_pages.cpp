#include "tools/huge_pages.h"

#include <gnu/libc-version.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace gpusim::cli {

void restart_with_huge_pages(char** argv) {
  HugePageHost h;
  h.tunables = std::getenv("GLIBC_TUNABLES");
  h.opt_out = std::getenv("GPUSIM_HUGE_PAGES");
  h.ld_preload = std::getenv("LD_PRELOAD");
  std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
  std::getline(mode, h.thp_mode);
  if (std::sscanf(gnu_get_libc_version(), "%d.%d", &h.glibc_major, &h.glibc_minor) != 2) return;
  const std::optional<std::string> tunables = huge_page_tunables(h);
  if (!tunables) return;
  if (setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not restarted (no /proc, say): run as it is. The variable stays set, so a child process
  // started from here is not restarted either.
}

}  // namespace gpusim::cli
