// Short CPU training runs on a Fashion-MNIST subset: the loss must go down, and a small MLP must
// classify held-out images far better than chance (10 %). The full one-epoch >= 80 % run is
// `gpusim train` (see docs/FRAMEWORK.md); here we keep to a few seconds.
#include <gtest/gtest.h>

#include <filesystem>

#include "framework/cpu_backend.h"
#include "framework/trainer.h"

namespace fw = gpusim::framework;

namespace {

bool have_dataset() { return std::filesystem::exists(fw::data::kFashionMnistDir); }

}  // namespace

TEST(Training, LossDecreasesOnASubset) {
  if (!have_dataset()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  auto ctx = std::make_shared<fw::Context>();
  fw::BackendPtr cpu = fw::make_cpu_backend();
  const auto train = fw::data::load_fashion_mnist(fw::data::kFashionMnistDir, "train", 1024);
  std::mt19937 rng(3);
  auto model = fw::nn::make_mlp({784, 64, 10}, rng, cpu, ctx);
  fw::optim::SGD sgd(model->parameters(), 0.05f, 0.9f);
  fw::data::BatchIterator batches(train, 32, true, 3);
  std::vector<float> epoch_losses;
  for (int epoch = 0; epoch < 3; ++epoch) epoch_losses.push_back(fw::train_epoch(*model, sgd, batches, cpu, ctx));
  // Untrained 10-class softmax starts near ln(10) = 2.30.
  EXPECT_LT(epoch_losses[0], 2.3f);
  EXPECT_LT(epoch_losses[1], epoch_losses[0]);
  EXPECT_LT(epoch_losses[2], epoch_losses[1]);
  EXPECT_LT(epoch_losses[2], 0.9f);
}

TEST(Training, TinySubsetGeneralisesWellAboveChance) {
  if (!have_dataset()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  auto ctx = std::make_shared<fw::Context>();
  fw::BackendPtr cpu = fw::make_cpu_backend();
  const auto train = fw::data::load_fashion_mnist(fw::data::kFashionMnistDir, "train", 2000);
  const auto test = fw::data::load_fashion_mnist(fw::data::kFashionMnistDir, "t10k", 1000);
  std::mt19937 rng(4);
  auto model = fw::nn::make_mlp({784, 128, 10}, rng, cpu, ctx);
  fw::optim::Adam adam(model->parameters(), 1e-3f);
  fw::data::BatchIterator batches(train, 32, true, 4);
  for (int epoch = 0; epoch < 3; ++epoch) fw::train_epoch(*model, adam, batches, cpu, ctx);
  // 2000 images, 3 epochs: an MLP reaches ~75-80 %; 65 % leaves room for seeds, not for bugs.
  EXPECT_GT(fw::evaluate_accuracy(*model, test, 250, cpu, ctx), 0.65);
}
