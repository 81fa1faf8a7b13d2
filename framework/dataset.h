// Fashion-MNIST as float tensors-to-be, and shuffled mini-batches from a seeded RNG.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace gpusim::framework::data {

struct Dataset {
  std::vector<float> images;    // count x features, pixel / 255
  std::vector<int32_t> labels;  // count
  size_t count = 0;
  size_t features = 0;
};

// Where the Debian package dataset-fashion-mnist installs the files.
inline const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Fashion-MNIST's shape: 28x28 grey images, 10 classes.
inline constexpr size_t kFashionMnistFeatures = 28 * 28;
inline constexpr int32_t kFashionMnistClasses = 10;

// Loads `<dir>/<split>-images-idx3-ubyte[.gz]` and `<dir>/<split>-labels-idx1-ubyte[.gz]`
// (split "train" or "t10k"); `limit` > 0 keeps only the first `limit` examples. Throws DataError
// naming the file when it holds no images, images that are not 28x28, or labels outside 0..9.
Dataset load_fashion_mnist(const std::string& dir, const std::string& split, size_t limit = 0);
// Builds a Dataset from IDX images [N, rows, cols] and labels [N], checking they agree.
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path, size_t limit = 0);

struct Batch {
  std::vector<float> images;  // size x features
  std::vector<int32_t> labels;
  size_t size = 0;
};

// Splits a dataset into batches, reshuffled every epoch by a seeded generator (so runs repeat).
class BatchIterator {
 public:
  BatchIterator(const Dataset& dataset, size_t batch_size, bool shuffle, uint64_t seed);
  // Starts a new epoch (reshuffling when enabled).
  void start_epoch();
  bool next(Batch& batch);  // false at the end of the epoch
  size_t batches_per_epoch() const;
  size_t features() const { return dataset_.features; }

 private:
  const Dataset& dataset_;
  size_t batch_size_;
  bool shuffle_;
  std::mt19937_64 rng_;
  std::vector<size_t> order_;
  size_t cursor_ = 0;
};

}  // namespace gpusim::framework::data
