// The IDX reader on small files written by the test itself: valid (plain and gzip), bad magic,
// unsupported type, truncated header and data, trailing bytes, missing file; plus the dataset
// pairing checks and, when installed, the real Fashion-MNIST files.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "framework/dataset.h"
#include "framework/idx.h"

namespace data = gpusim::framework::data;
namespace fs = std::filesystem;

namespace {

class IdxTest : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("gpusim_idx_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  static std::vector<uint8_t> idx_bytes(uint8_t type, std::vector<uint32_t> dims, std::vector<uint8_t> values) {
    std::vector<uint8_t> b{0, 0, type, static_cast<uint8_t>(dims.size())};
    for (uint32_t d : dims)
      for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(d >> shift));
    b.insert(b.end(), values.begin(), values.end());
    return b;
  }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    return path;
  }
  std::string write_gz(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = (dir / name).string();
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return path;
  }
  static void expect_error(const std::string& path, std::initializer_list<const char*> fragments) {
    try {
      data::read_idx(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const data::DataError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
      for (const char* f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
    }
  }
};

// Dimensions whose product is 2^64 wrapped to 0 and passed the corrupt-header check (issue 10).
TEST_F(IdxTest, DimensionsOverflowingSixtyFourBitsAreCorrupt) {
  expect_error(write("wrap.idx", idx_bytes(0x08, {65536, 65536, 65536, 65536}, {})), {"corrupt header"});
}

// A header that promises 4 GiB in front of 10 bytes: refused as truncated, without the 4 GiB.
TEST_F(IdxTest, HugeHeaderOnATinyFileIsTruncatedNotAllocated) {
  expect_error(write("huge.idx", idx_bytes(0x08, {65536, 65536}, std::vector<uint8_t>(10, 1))),
               {"truncated", "4294967296", "holds 10"});
}

class FashionMnistShapeTest : public IdxTest {
 protected:
  // train-images [count, rows, cols] and train-labels in `dir`; returns the two paths.
  std::pair<std::string, std::string> write_split(uint32_t count, uint32_t rows, uint32_t cols,
                                                  std::vector<uint8_t> labels) {
    return {write("train-images-idx3-ubyte", idx_bytes(0x08, {count, rows, cols}, std::vector<uint8_t>(count * rows * cols, 7))),
            write("train-labels-idx1-ubyte", idx_bytes(0x08, {count}, labels))};
  }
  std::string load_error() {
    try {
      data::load_fashion_mnist(dir.string(), "train");
    } catch (const data::DataError& e) {
      return e.what();
    }
    return "(no error)";
  }
};

TEST_F(FashionMnistShapeTest, LabelOutOfRangeNamesTheFile) {
  const auto [images, labels] = write_split(3, 28, 28, {1, 10, 2});
  const std::string e = load_error();
  EXPECT_NE(e.find(labels), std::string::npos) << e;
  EXPECT_NE(e.find("label 10 of example 1 is outside 0..9"), std::string::npos) << e;
}

TEST_F(FashionMnistShapeTest, WrongImageSizeNamesTheFile) {
  const auto [images, labels] = write_split(2, 28, 29, {1, 2});
  const std::string e = load_error();
  EXPECT_NE(e.find(images), std::string::npos) << e;
  EXPECT_NE(e.find("images of 812 pixels; Fashion-MNIST's are 28x28 = 784"), std::string::npos) << e;
}

TEST_F(FashionMnistShapeTest, NoImagesIsAnError) {
  const auto [images, labels] = write_split(0, 28, 28, {});
  const std::string e = load_error();
  EXPECT_NE(e.find(images + "' holds no images"), std::string::npos) << e;
}

TEST_F(FashionMnistShapeTest, WellFormedSplitLoads) {
  write_split(2, 28, 28, {0, 9});
  const data::Dataset ds = data::load_fashion_mnist(dir.string(), "train");
  EXPECT_EQ(ds.count, 2u);
  EXPECT_EQ(ds.features, 784u);
  EXPECT_FLOAT_EQ(ds.images[0], 7.0f / 255.0f);
}

}  // namespace

TEST_F(IdxTest, ReadsPlainAndGzipFiles) {
  const auto bytes = idx_bytes(0x08, {2, 3}, {1, 2, 3, 4, 5, 255});
  for (const std::string& path : {write("a.idx", bytes), write_gz("a.idx.gz", bytes)}) {
    const data::IdxArray a = data::read_idx(path);
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{2, 3}));
    EXPECT_EQ(a.values, (std::vector<uint8_t>{1, 2, 3, 4, 5, 255}));
  }
}

TEST_F(IdxTest, BigEndianDimensions) {
  std::vector<uint8_t> values(258, 7);
  const data::IdxArray a = data::read_idx(write("big.idx", idx_bytes(0x08, {258}, values)));
  EXPECT_EQ(a.dims, (std::vector<uint32_t>{258}));
}

TEST_F(IdxTest, BadMagicUnsupportedTypeAndTruncation) {
  auto bad_magic = idx_bytes(0x08, {2}, {1, 2});
  bad_magic[0] = 0x1f;
  expect_error(write("magic.idx", bad_magic), {"bad magic"});
  expect_error(write("type.idx", idx_bytes(0x0D, {2}, {1, 2})), {"element type 0x0d"});
  expect_error(write("short.idx", {0, 0}), {"truncated", "magic"});
  auto header_cut = idx_bytes(0x08, {2, 3}, {});
  header_cut.resize(9);
  expect_error(write("header.idx", header_cut), {"truncated", "header"});
  expect_error(write("data.idx", idx_bytes(0x08, {2, 3}, {1, 2, 3})), {"truncated", "declares 6", "holds 3"});
  expect_error(write_gz("data.idx.gz", idx_bytes(0x08, {4}, {1})), {"truncated", "declares 4", "holds 1"});
  expect_error(write("trailing.idx", idx_bytes(0x08, {1}, {1, 2})), {"trailing"});
  expect_error((dir / "missing.idx").string(), {"cannot open"});
}

TEST_F(IdxTest, DatasetChecksPairingAndScalesPixels) {
  const auto images = write("img.idx", idx_bytes(0x08, {2, 2, 2}, {0, 255, 51, 102, 1, 2, 3, 4}));
  const auto labels = write("lbl.idx", idx_bytes(0x08, {2}, {3, 9}));
  const data::Dataset ds = data::load_idx_pair(images, labels);
  EXPECT_EQ(ds.count, 2u);
  EXPECT_EQ(ds.features, 4u);
  EXPECT_FLOAT_EQ(ds.images[1], 1.0f);
  EXPECT_FLOAT_EQ(ds.images[2], 0.2f);
  EXPECT_EQ(ds.labels, (std::vector<int32_t>{3, 9}));
  EXPECT_EQ(data::load_idx_pair(images, labels, 1).count, 1u);
  const auto three_labels = write("lbl3.idx", idx_bytes(0x08, {3}, {1, 2, 3}));
  EXPECT_THROW(data::load_idx_pair(images, three_labels), data::DataError);
  EXPECT_THROW(data::load_idx_pair(labels, labels), data::DataError);  // labels are not 3-D images
  EXPECT_THROW(data::load_fashion_mnist(dir.string(), "train"), data::DataError);
}

TEST_F(IdxTest, BatchesCoverEveryExampleOnceAndShuffleReproducibly) {
  data::Dataset ds;
  ds.count = 10;
  ds.features = 1;
  for (int i = 0; i < 10; ++i) {
    ds.images.push_back(static_cast<float>(i));
    ds.labels.push_back(i);
  }
  auto epoch_order = [&](uint64_t seed) {
    data::BatchIterator it(ds, 4, true, seed);
    std::vector<int32_t> order;
    std::vector<size_t> sizes;
    data::Batch b;
    while (it.next(b)) {
      sizes.push_back(b.size);
      for (size_t i = 0; i < b.size; ++i) {
        EXPECT_EQ(b.images[i], static_cast<float>(b.labels[i]));  // image and label stay paired
        order.push_back(b.labels[i]);
      }
    }
    EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 2}));
    return order;
  };
  const auto a = epoch_order(5), b = epoch_order(5), c = epoch_order(6);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(FashionMnist, InstalledFilesLoad) {
  if (!fs::exists(data::kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const data::Dataset test = data::load_fashion_mnist(data::kFashionMnistDir, "t10k");
  EXPECT_EQ(test.count, 10000u);
  EXPECT_EQ(test.features, 784u);
  std::vector<int> per_class(10, 0);
  for (int32_t l : test.labels) ++per_class.at(static_cast<size_t>(l));
  for (int n : per_class) EXPECT_EQ(n, 1000);  // the test split is balanced
}
