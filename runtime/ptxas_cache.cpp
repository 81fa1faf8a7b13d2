#include "runtime/ptxas_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gpusim::runtime {

namespace {

constexpr const char* kMagic = "gpusim-ptxas-cache 1";

// Two unrelated 64-bit hashes of the key's text (FNV-1a, and a multiply-xorshift mix), side by
// side: a 128-bit name, so distinct PTX texts do not share a file in practice; the header's
// sizes are checked on top.
struct Hash128 {
  uint64_t fnv = 0xcbf29ce484222325ull, mix = 0x9e3779b97f4a7c15ull;
  void add(const std::string& s) {
    for (unsigned char c : s) {
      fnv = (fnv ^ c) * 0x100000001b3ull;
      mix = (mix ^ c) * 0xff51afd7ed558ccdull;
      mix ^= mix >> 29;
    }
    // A separator, so ("ab","c") and ("a","bc") differ.
    fnv = (fnv ^ 0xff) * 0x100000001b3ull;
    mix = (mix ^ 0xff) * 0xc4ceb9fe1a85ec53ull;
  }
};

std::string header(const PtxasCacheKey& key) {
  return std::string(kMagic) + "\n" + key.ptxas_identity + "\n" + key.arch + "\n" + std::to_string(key.ptx->size()) + "\n";
}

}  // namespace

std::optional<std::string> ptxas_cache_directory() {
  if (const char* own = std::getenv("GPUSIM_PTXAS_CACHE")) {
    const std::string dir = own;
    if (dir.empty() || dir == "0") return std::nullopt;
    return dir;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/gpusim/ptxas";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/gpusim/ptxas";
  return std::nullopt;
}

std::string ptxas_identity(const std::string& ptxas_path) {
  struct stat st {};
  if (stat(ptxas_path.c_str(), &st) != 0) return "";
  return ptxas_path + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

std::string ptxas_cache_file_name(const PtxasCacheKey& key) {
  Hash128 h;
  h.add(key.ptxas_identity);
  h.add(key.arch);
  h.add(*key.ptx);
  char name[48];
  std::snprintf(name, sizeof name, "%016llx%016llx.txt", static_cast<unsigned long long>(h.fnv),
                static_cast<unsigned long long>(h.mix));
  return name;
}

std::optional<CachedPtxasRun> load_cached_ptxas_run(const PtxasCacheKey& key) {
  const auto dir = ptxas_cache_directory();
  if (!dir || key.ptxas_identity.empty() || !key.ptx) return std::nullopt;
  std::ifstream in(*dir + "/" + ptxas_cache_file_name(key), std::ios::binary);
  if (!in) return std::nullopt;
  const std::string expected = header(key);
  std::string got(expected.size(), '\0');
  if (!in.read(got.data(), static_cast<std::streamsize>(got.size())) || got != expected) return std::nullopt;
  CachedPtxasRun run;
  size_t bytes = 0;
  if (!(in >> run.exit_status >> bytes) || in.get() != '\n' || bytes > (size_t(1) << 30)) return std::nullopt;
  run.output.resize(bytes);
  if (!in.read(run.output.data(), static_cast<std::streamsize>(bytes))) return std::nullopt;
  return run;
}

void store_ptxas_run(const PtxasCacheKey& key, const CachedPtxasRun& run) {
  const auto dir = ptxas_cache_directory();
  if (!dir || key.ptxas_identity.empty() || !key.ptx) return;
  std::error_code ec;
  std::filesystem::create_directories(*dir, ec);
  const std::string final_path = *dir + "/" + ptxas_cache_file_name(key);
  const std::string temp_path = final_path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out << header(key) << run.exit_status << " " << run.output.size() << "\n" << run.output;
    if (!out) {
      out.close();
      std::remove(temp_path.c_str());
      return;
    }
  }
  if (std::rename(temp_path.c_str(), final_path.c_str()) != 0) std::remove(temp_path.c_str());
}

}  // namespace gpusim::runtime
