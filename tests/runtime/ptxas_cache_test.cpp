// runtime/ptxas_cache.h: ptxas runs kept on disk between program runs, keyed by the PTX, the
// architecture and the ptxas binary, and used by run_ptxas instead of running ptxas again.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/ptxas_cache.h"
#include "runtime/ptxas_info.h"

namespace gpusim::runtime {
namespace {

namespace fs = std::filesystem;

// Points GPUSIM_PTXAS_CACHE at a fresh directory for one test, and restores it after.
class CacheDirectory {
 public:
  explicit CacheDirectory(const std::string& name) : path_(fs::path(::testing::TempDir()) / name) {
    fs::remove_all(path_);
    if (const char* old = std::getenv("GPUSIM_PTXAS_CACHE")) old_ = old, had_old_ = true;
    setenv("GPUSIM_PTXAS_CACHE", path_.c_str(), 1);
  }
  ~CacheDirectory() {
    if (had_old_) setenv("GPUSIM_PTXAS_CACHE", old_.c_str(), 1);
    else unsetenv("GPUSIM_PTXAS_CACHE");
    fs::remove_all(path_);
  }
  size_t files() const {
    size_t n = 0;
    if (fs::exists(path_))
      for (const auto& e : fs::directory_iterator(path_)) n += e.is_regular_file();
    return n;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  std::string old_;
  bool had_old_ = false;
};

TEST(PtxasCache, StoresAndFindsARunByItsKey) {
  CacheDirectory dir("ptxas_cache_roundtrip");
  const std::string ptx = ".version 8.0\n.target sm_80\n", other = ptx + "// changed\n";
  const PtxasCacheKey key{"/opt/ptxas 100 5.0", "sm_80", &ptx};
  EXPECT_FALSE(load_cached_ptxas_run(key));
  store_ptxas_run(key, {0, "ptxas info    : Used 9 registers\n"});
  const auto hit = load_cached_ptxas_run(key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->exit_status, 0);
  EXPECT_EQ(hit->output, "ptxas info    : Used 9 registers\n");
  // Any part of the key changed: a miss.
  EXPECT_FALSE(load_cached_ptxas_run({key.ptxas_identity, "sm_90", &ptx}));
  EXPECT_FALSE(load_cached_ptxas_run({"/opt/ptxas 101 5.0", "sm_80", &ptx}));
  EXPECT_FALSE(load_cached_ptxas_run({key.ptxas_identity, "sm_80", &other}));
  EXPECT_EQ(dir.files(), 1u);
  // A damaged file is ignored, not believed.
  std::ofstream(dir.path() / ptxas_cache_file_name(key), std::ios::trunc) << "gpusim-ptxas-cache 1\ngarbage";
  EXPECT_FALSE(load_cached_ptxas_run(key));
}

TEST(PtxasCache, TurnedOffByZero) {
  CacheDirectory dir("ptxas_cache_off");
  setenv("GPUSIM_PTXAS_CACHE", "0", 1);
  EXPECT_FALSE(ptxas_cache_directory());
  const std::string ptx = "x";
  store_ptxas_run({"id", "sm_80", &ptx}, {0, "out"});
  EXPECT_FALSE(load_cached_ptxas_run({"id", "sm_80", &ptx}));
}

TEST(PtxasCache, RunPtxasUsesTheCacheAndFillsIt) {
  const auto ptxas = find_ptxas();
  if (!ptxas) GTEST_SKIP() << "no ptxas";
  CacheDirectory dir("ptxas_cache_run");
  std::ifstream in(std::string(GPUSIM_SOURCE_DIR) + "/tests/fixtures/device_call.ptx");
  std::stringstream text;
  text << in.rdbuf();
  const std::string ptx = text.str();
  const auto real = run_ptxas(ptx, "sm_80");
  ASSERT_FALSE(real.empty());
  EXPECT_EQ(dir.files(), 1u) << "the run was stored";
  // A stored answer that ptxas would never give proves the next call reads the cache.
  const std::string kernel = real.begin()->first;
  const std::string fake = "ptxas info    : Compiling entry function '" + kernel + "' for 'sm_80'\n"
                           "ptxas info    : Function properties for " + kernel + "\n"
                           "    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n"
                           "ptxas info    : Used 201 registers, used 0 barriers, 0 bytes smem\n";
  store_ptxas_run({ptxas_identity(*ptxas), "sm_80", &ptx}, {0, fake});
  EXPECT_EQ(run_ptxas(ptx, "sm_80").at(kernel).registers, 201u);
  setenv("GPUSIM_PTXAS_CACHE", "0", 1);  // off: ptxas runs and gives its own figure
  EXPECT_EQ(run_ptxas(ptx, "sm_80").at(kernel).registers, real.at(kernel).registers);
  EXPECT_NE(real.at(kernel).registers, 201u);
}

}  // namespace
}  // namespace gpusim::runtime
