// Neural-network modules: Module (parameters, forward), Linear, ReLU, Flatten, RMSNorm, Sequential.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "framework/tensor.h"

namespace gpusim::framework::nn {

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string name() const = 0;
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }
  // Handles sharing the parameters' storage, so optimizers can update them in place.
  virtual std::vector<Tensor> parameters() { return {}; }
  // Moves the parameters to `backend` (they stay leaves that require grad).
  virtual void to(const BackendPtr& backend) {}
  void zero_grad();
};
using ModulePtr = std::shared_ptr<Module>;

// y = x W + b with W: [in, out]. W is Kaiming-uniform (bound sqrt(6 / in), the He
// initialisation for ReLU networks) from `rng`; b starts at zero.
class Linear : public Module {
 public:
  Linear(size_t in_features, size_t out_features, std::mt19937& rng, BackendPtr backend, ContextPtr context);
  std::string name() const override;
  Tensor forward(const Tensor& x) override;
  std::vector<Tensor> parameters() override { return {weight_, bias_}; }
  void to(const BackendPtr& backend) override;
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  size_t in_, out_;
  Tensor weight_, bias_;
};

class ReLU : public Module {
 public:
  std::string name() const override { return "ReLU"; }
  Tensor forward(const Tensor& x) override;
};

// [N, d1, d2, ...] -> [N, d1 * d2 * ...].
class Flatten : public Module {
 public:
  std::string name() const override { return "Flatten"; }
  Tensor forward(const Tensor& x) override;
};

// RMSNorm over the last axis with a learnable gain (initialised to one).
class RMSNorm : public Module {
 public:
  RMSNorm(size_t features, BackendPtr backend, ContextPtr context, float eps = 1e-6f);
  std::string name() const override { return "RMSNorm(" + std::to_string(features_) + ")"; }
  Tensor forward(const Tensor& x) override;
  std::vector<Tensor> parameters() override { return {weight_}; }
  void to(const BackendPtr& backend) override;

 private:
  size_t features_;
  float eps_;
  Tensor weight_;
};

class Sequential : public Module {
 public:
  explicit Sequential(std::vector<ModulePtr> layers) : layers_(std::move(layers)) {}
  std::string name() const override;
  Tensor forward(const Tensor& x) override;
  std::vector<Tensor> parameters() override;
  void to(const BackendPtr& backend) override;
  const std::vector<ModulePtr>& layers() const { return layers_; }

 private:
  std::vector<ModulePtr> layers_;
};

// The MLP in->hidden->...->classes with ReLU between the Linear layers.
std::shared_ptr<Sequential> make_mlp(const std::vector<size_t>& widths, std::mt19937& rng, BackendPtr backend,
                                     ContextPtr context);

}  // namespace gpusim::framework::nn
