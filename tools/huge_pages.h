// Transparent huge pages for the simulator's heap.
//
// At full occupancy the timing model visits the state of every resident warp each simulated
// cycle (its registers, call frame, SIMT stack, scoreboard and sub-core slot): on v100.ini with
// sgemm_tiled 512^3, 80 SMs x 48 warps, hundreds of megabytes of small heap blocks. With 4 KiB
// pages nearly every such visit also misses the host's TLB; glibc's malloc backs its heap with
// 2 MiB pages when the process starts with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc 2.35 on,
// and the kernel's transparent_hugepage mode "always" or "madvise"), which cut the user CPU time
// of that run by about a fifth (docs/PERFORMANCE.md). The tunable is read only at process start,
// so `gpusim` restarts itself once with it set. Only addresses change: results do not depend on
// where the heap is (the same runs give byte-identical stats, scripts/stats_identical.sh).
#pragma once

#include <optional>
#include <string>

namespace gpusim::cli {

// What decides the restart (the process's environment and host, gathered by the caller).
struct HugePageHost {
  const char* tunables = nullptr;    // GLIBC_TUNABLES (null: unset)
  const char* opt_out = nullptr;     // GPUSIM_HUGE_PAGES ("0": leave the heap alone)
  const char* ld_preload = nullptr;  // LD_PRELOAD (valgrind's preload: do not escape the tool)
  std::string thp_mode;              // /sys/kernel/mm/transparent_hugepage/enabled ("" if unreadable)
  int glibc_major = 0, glibc_minor = 0;
};

inline constexpr const char* kHugeTunable = "glibc.malloc.hugetlb";

// The GLIBC_TUNABLES value to restart with, or nothing when the process should run as it is:
// the user chose (the tunable already set, or GPUSIM_HUGE_PAGES=0), the host cannot use it
// (glibc before 2.35, transparent huge pages "never" or unknown), or the process runs under
// valgrind (a restart would leave the tool and profile nothing).
inline std::optional<std::string> huge_page_tunables(const HugePageHost& h) {
  const std::string current = h.tunables ? h.tunables : "";
  if (current.find(kHugeTunable) != std::string::npos) return std::nullopt;
  if (h.opt_out && std::string(h.opt_out) == "0") return std::nullopt;
  if (h.ld_preload && std::string(h.ld_preload).find("vgpreload") != std::string::npos) return std::nullopt;
  if (h.glibc_major < 2 || (h.glibc_major == 2 && h.glibc_minor < 35)) return std::nullopt;
  if (h.thp_mode.find("[always]") == std::string::npos && h.thp_mode.find("[madvise]") == std::string::npos)
    return std::nullopt;
  const std::string ours = std::string(kHugeTunable) + "=1";
  return current.empty() ? ours : current + ":" + ours;
}

// Restarts the process (argv as given) with the tunable when huge_page_tunables says so; returns
// only when it does not restart or the restart fails (the run then goes on as it is).
void restart_with_huge_pages(char** argv);

}  // namespace gpusim::cli
