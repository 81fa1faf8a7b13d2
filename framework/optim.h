// Optimizers. Updates are written in tensor ops under a no_grad guard, so they run on whatever
// backend the parameters live on, and replace each parameter's storage in place (Tensor::assign).
#pragma once

#include <vector>

#include "framework/tensor.h"

namespace gpusim::framework::optim {

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> params);
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  void zero_grad();

 protected:
  std::vector<Tensor> params_;
};

// v = momentum * v + g;  p -= lr * v   (v starts at zero; momentum 0 is plain SGD).
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, float lr, float momentum = 0.0f);
  void step() override;

 private:
  float lr_, momentum_;
  std::vector<Tensor> velocity_;
};

// Adam (Kingma & Ba, 2015) with bias correction:
// m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f);
  void step() override;

 private:
  float lr_, beta1_, beta2_, eps_;
  long t_ = 0;
  std::vector<Tensor> m_, v_;
};

}  // namespace gpusim::framework::optim
