#include "framework/dataset.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "framework/idx.h"

namespace gpusim::framework::data {

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path, size_t limit) {
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (images.dims.size() != 3)
    throw DataError("dataset: '" + images_path + "' should be a 3-D [count, rows, cols] image array, has " +
                    std::to_string(images.dims.size()) + " dimension(s)");
  if (labels.dims.size() != 1)
    throw DataError("dataset: '" + labels_path + "' should be a 1-D label array, has " +
                    std::to_string(labels.dims.size()) + " dimension(s)");
  if (images.dims[0] != labels.dims[0])
    throw DataError("dataset: " + std::to_string(images.dims[0]) + " images in '" + images_path + "' but " +
                    std::to_string(labels.dims[0]) + " labels in '" + labels_path + "'");
  Dataset ds;
  ds.count = limit > 0 ? std::min<size_t>(limit, images.dims[0]) : images.dims[0];
  ds.features = size_t{images.dims[1]} * images.dims[2];
  ds.images.resize(ds.count * ds.features);
  for (size_t i = 0; i < ds.images.size(); ++i) ds.images[i] = static_cast<float>(images.values[i]) / 255.0f;
  ds.labels.assign(labels.values.begin(), labels.values.begin() + static_cast<long>(ds.count));
  return ds;
}

Dataset load_fashion_mnist(const std::string& dir, const std::string& split, size_t limit) {
  if (split != "train" && split != "t10k")
    throw DataError("dataset: unknown split '" + split + "' (expected train or t10k)");
  // Prefer the package's .gz files; accept already-decompressed copies too.
  auto pick = [&](const std::string& stem) {
    const std::string base = dir + "/" + split + "-" + stem;
    if (std::filesystem::exists(base + ".gz")) return base + ".gz";
    if (std::filesystem::exists(base)) return base;
    throw DataError("dataset: neither '" + base + ".gz' nor '" + base +
                    "' exists (install the Debian package dataset-fashion-mnist or pass the data directory)");
  };
  const std::string images_path = pick("images-idx3-ubyte"), labels_path = pick("labels-idx1-ubyte");
  Dataset ds = load_idx_pair(images_path, labels_path, limit);
  // The model has kFashionMnistFeatures inputs and kFashionMnistClasses outputs; anything else
  // would fail deep inside a matrix product or the loss without naming the file.
  if (ds.count == 0) throw DataError("dataset: '" + images_path + "' holds no images");
  if (ds.features != kFashionMnistFeatures)
    throw DataError("dataset: '" + images_path + "' holds images of " + std::to_string(ds.features) +
                    " pixels; Fashion-MNIST's are 28x28 = " + std::to_string(kFashionMnistFeatures));
  for (size_t i = 0; i < ds.labels.size(); ++i)
    if (ds.labels[i] < 0 || ds.labels[i] >= kFashionMnistClasses)
      throw DataError("dataset: '" + labels_path + "': label " + std::to_string(ds.labels[i]) + " of example " +
                      std::to_string(i) + " is outside 0.." + std::to_string(kFashionMnistClasses - 1));
  return ds;
}

BatchIterator::BatchIterator(const Dataset& dataset, size_t batch_size, bool shuffle, uint64_t seed)
    : dataset_(dataset), batch_size_(batch_size), shuffle_(shuffle), rng_(seed), order_(dataset.count) {
  if (batch_size == 0) throw DataError("batches: batch size must be positive");
  std::iota(order_.begin(), order_.end(), size_t{0});
  start_epoch();
}

void BatchIterator::start_epoch() {
  if (shuffle_) std::shuffle(order_.begin(), order_.end(), rng_);
  cursor_ = 0;
}

bool BatchIterator::next(Batch& batch) {
  if (cursor_ >= order_.size()) return false;
  const size_t end = std::min(order_.size(), cursor_ + batch_size_);
  batch.size = end - cursor_;
  batch.images.resize(batch.size * dataset_.features);
  batch.labels.resize(batch.size);
  for (size_t b = 0; b < batch.size; ++b) {
    const size_t idx = order_[cursor_ + b];
    std::copy_n(dataset_.images.begin() + static_cast<long>(idx * dataset_.features), dataset_.features,
                batch.images.begin() + static_cast<long>(b * dataset_.features));
    batch.labels[b] = dataset_.labels[idx];
  }
  cursor_ = end;
  return true;
}

size_t BatchIterator::batches_per_epoch() const { return (order_.size() + batch_size_ - 1) / batch_size_; }

}  // namespace gpusim::framework::data
