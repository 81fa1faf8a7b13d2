#include "framework/trainer.h"

#include <algorithm>

#include "framework/ops.h"

namespace gpusim::framework {

float train_step(nn::Module& model, optim::Optimizer& optimizer, const data::Batch& batch, size_t features,
                 const BackendPtr& backend, const ContextPtr& context) {
  const Tensor x = Tensor::from_vector(batch.images, {batch.size, features}, backend, context);
  optimizer.zero_grad();
  const Tensor loss = cross_entropy(model(x), batch.labels);
  loss.backward();
  optimizer.step();
  return loss.item();
}

float train_epoch(nn::Module& model, optim::Optimizer& optimizer, data::BatchIterator& batches,
                  const BackendPtr& backend, const ContextPtr& context,
                  const std::function<void(const StepResult&)>& on_step) {
  batches.start_epoch();
  data::Batch batch;
  double total = 0.0;
  size_t steps = 0;
  const size_t features = batches.features();
  while (batches.next(batch)) {
    const float loss = train_step(model, optimizer, batch, features, backend, context);
    total += loss;
    ++steps;
    if (on_step) on_step({steps - 1, batches.batches_per_epoch(), batch.size, loss});
  }
  return steps ? static_cast<float>(total / static_cast<double>(steps)) : 0.0f;
}

double evaluate_accuracy(nn::Module& model, const data::Dataset& dataset, size_t batch_size,
                         const BackendPtr& backend, const ContextPtr& context) {
  if (dataset.count == 0) throw FrameworkError("evaluate: empty dataset");
  NoGradGuard no_grad(*context);
  data::BatchIterator batches(dataset, batch_size, false, 0);
  data::Batch batch;
  size_t correct = 0;
  while (batches.next(batch)) {
    const Tensor x = Tensor::from_vector(batch.images, {batch.size, dataset.features}, backend, context);
    const std::vector<float> logits = model(x).to_vector();
    const size_t classes = logits.size() / batch.size;
    for (size_t r = 0; r < batch.size; ++r) {
      const auto row = logits.begin() + static_cast<long>(r * classes);
      const auto best = std::max_element(row, row + static_cast<long>(classes)) - row;
      correct += best == batch.labels[r];
    }
  }
  return static_cast<double>(correct) / static_cast<double>(dataset.count);
}

}  // namespace gpusim::framework
