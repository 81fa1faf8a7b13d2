// runtime::ScratchDir: a private directory that takes its contents with it, created where TMPDIR says.
#include "runtime/scratch_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

namespace gpusim::runtime {
namespace {

// Sets TMPDIR for one test and puts back what was there.
class TmpdirOverride {
 public:
  explicit TmpdirOverride(const std::string& value) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", value.c_str(), 1);
  }
  ~TmpdirOverride() {
    if (old_) setenv("TMPDIR", old_->c_str(), 1);
    else unsetenv("TMPDIR");
  }

 private:
  std::optional<std::string> old_;
};

TEST(ScratchDir, IsPrivateAndRemovedWithItsContents) {
  std::filesystem::path kept;
  {
    const ScratchDir dir("gpusim_scratch_test_");
    kept = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    EXPECT_EQ(kept.filename().string().rfind("gpusim_scratch_test_", 0), 0u);
    struct stat st {};
    ASSERT_EQ(stat(kept.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << "other users must not read nvcc's output or a sweep point's stats";
    std::filesystem::create_directory(dir.file("sub"));
    std::ofstream(dir.file("sub/a.txt")) << "x";
    std::ofstream(dir.file("b.txt")) << "y";
    EXPECT_EQ(dir.file("b.txt"), (kept / "b.txt").string());
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(ScratchDir, TwoDirectoriesDiffer) {
  const ScratchDir a("gpusim_scratch_test_"), b("gpusim_scratch_test_");
  EXPECT_NE(a.path(), b.path());
}

TEST(ScratchDir, FollowsTmpdir) {
  const ScratchDir parent("gpusim_scratch_parent_");
  const TmpdirOverride tmpdir(parent.path().string());
  const ScratchDir child("inner_");
  EXPECT_EQ(child.path().parent_path(), parent.path());
}

TEST(ScratchDir, MissingTmpdirFallsBackToTmp) {
  const ScratchDir parent("gpusim_scratch_parent_");
  const TmpdirOverride tmpdir(parent.file("no_such_dir"));
  const ScratchDir child("gpusim_scratch_test_");
  EXPECT_EQ(child.path().parent_path(), std::filesystem::path("/tmp"));
}

TEST(ScratchDir, FailureNamesTheLocationAndReason) {
  const ScratchDir parent("gpusim_scratch_parent_");
  const TmpdirOverride tmpdir(parent.path().string());
  try {
    const ScratchDir child("no_such_dir/inner_");  // mkdtemp cannot create inside a missing directory
    FAIL() << "created " << child.path();
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(parent.path().string()), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace gpusim::runtime
