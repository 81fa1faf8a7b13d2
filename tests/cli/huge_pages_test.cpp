// When gpusim restarts itself with glibc's huge-page tunable (tools/huge_pages.h), and with what
// value: every case written out by hand from glibc's tunable syntax (name=value pairs joined by
// ':') and the kernel's transparent_hugepage/enabled format (the active mode in brackets).
#include "tools/huge_pages.h"

#include <gtest/gtest.h>

namespace gpusim::cli {
namespace {

HugePageHost usable_host() {
  HugePageHost h;
  h.thp_mode = "always [madvise] never";
  h.glibc_major = 2;
  h.glibc_minor = 36;
  return h;
}

TEST(HugePages, RestartsWithTheTunableOnAUsableHost) {
  EXPECT_EQ(huge_page_tunables(usable_host()), std::optional<std::string>("glibc.malloc.hugetlb=1"));
  HugePageHost always = usable_host();
  always.thp_mode = "[always] madvise never";
  EXPECT_EQ(huge_page_tunables(always), std::optional<std::string>("glibc.malloc.hugetlb=1"));
}

TEST(HugePages, KeepsTheUsersOtherTunables) {
  HugePageHost h = usable_host();
  h.tunables = "glibc.malloc.arena_max=2";
  EXPECT_EQ(huge_page_tunables(h), std::optional<std::string>("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"));
}

TEST(HugePages, DoesNotRestartWhenTheTunableIsAlreadySet) {
  // The restarted process sees its own setting (no second restart), and a user's own choice
  // (hugetlb=0 or 2) stands.
  HugePageHost h = usable_host();
  h.tunables = "glibc.malloc.hugetlb=1";
  EXPECT_FALSE(huge_page_tunables(h));
  h.tunables = "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0";
  EXPECT_FALSE(huge_page_tunables(h));
}

TEST(HugePages, DoesNotRestartWhenTheUserOptsOut) {
  HugePageHost h = usable_host();
  h.opt_out = "0";
  EXPECT_FALSE(huge_page_tunables(h));
  h.opt_out = "1";
  EXPECT_TRUE(huge_page_tunables(h));
}

TEST(HugePages, DoesNotRestartUnderValgrind) {
  HugePageHost h = usable_host();
  h.ld_preload = "/usr/libexec/valgrind/vgpreload_core-amd64-linux.so:/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so";
  EXPECT_FALSE(huge_page_tunables(h));
  h.ld_preload = "/usr/lib/libfoo.so";
  EXPECT_TRUE(huge_page_tunables(h));
}

TEST(HugePages, DoesNotRestartWhereTheHostCannotUseIt) {
  HugePageHost old_glibc = usable_host();
  old_glibc.glibc_minor = 34;  // the tunable came with glibc 2.35
  EXPECT_FALSE(huge_page_tunables(old_glibc));
  HugePageHost newer = usable_host();
  newer.glibc_major = 3;
  newer.glibc_minor = 0;
  EXPECT_TRUE(huge_page_tunables(newer));
  HugePageHost never = usable_host();
  never.thp_mode = "always madvise [never]";
  EXPECT_FALSE(huge_page_tunables(never));
  HugePageHost unknown = usable_host();
  unknown.thp_mode = "";  // no such file (not Linux, or no THP support)
  EXPECT_FALSE(huge_page_tunables(unknown));
}

}  // namespace
}  // namespace gpusim::cli
