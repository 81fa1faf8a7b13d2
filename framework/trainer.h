// The training loop shared by `gpusim train` and the tests: one epoch of mini-batch SGD/Adam on
// a classifier with softmax cross-entropy, and accuracy evaluation.
#pragma once

#include <functional>

#include "framework/dataset.h"
#include "framework/nn.h"
#include "framework/optim.h"

namespace gpusim::framework {

struct StepResult {
  size_t batch_index = 0;
  size_t batches = 0;
  size_t examples = 0;  // in this batch
  float loss = 0.0f;
};

// Trains one epoch; `on_step` (optional) sees every step. Returns the mean of the batch losses.
float train_epoch(nn::Module& model, optim::Optimizer& optimizer, data::BatchIterator& batches,
                  const BackendPtr& backend, const ContextPtr& context,
                  const std::function<void(const StepResult&)>& on_step = {});

// One optimisation step on one batch; returns its loss.
float train_step(nn::Module& model, optim::Optimizer& optimizer, const data::Batch& batch, size_t features,
                 const BackendPtr& backend, const ContextPtr& context);

// Fraction of `dataset` classified correctly (argmax of the logits), in batches of `batch_size`.
double evaluate_accuracy(nn::Module& model, const data::Dataset& dataset, size_t batch_size,
                         const BackendPtr& backend, const ContextPtr& context);

}  // namespace gpusim::framework
