#include "framework/optim.h"

#include <cmath>

#include "framework/ops.h"

namespace gpusim::framework::optim {

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
  for (const Tensor& p : params_)
    if (!p.defined() || !p.requires_grad())
      throw FrameworkError("optimizer: every parameter must be a defined tensor that requires grad");
}

void Optimizer::zero_grad() {
  for (Tensor& p : params_) p.zero_grad();
}

SGD::SGD(std::vector<Tensor> params, float lr, float momentum)
    : Optimizer(std::move(params)), lr_(lr), momentum_(momentum) {
  if (!(lr > 0.0f)) throw FrameworkError("SGD: learning rate must be positive");
  if (momentum < 0.0f || momentum >= 1.0f) throw FrameworkError("SGD: momentum must be in [0, 1)");
  velocity_.resize(params_.size());
}

void SGD::step() {
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i];
    const Tensor g = p.grad();
    if (!g.defined()) continue;  // the parameter took no part in the loss
    NoGradGuard no_grad(*p.context());
    LabelScope label(*p.context(), "sgd");
    Tensor update = g;
    if (momentum_ > 0.0f) {
      velocity_[i] = velocity_[i].defined() ? velocity_[i] * momentum_ + g : g;
      update = velocity_[i];
    }
    p.assign(p - update * lr_);
  }
}

Adam::Adam(std::vector<Tensor> params, float lr, float beta1, float beta2, float eps)
    : Optimizer(std::move(params)), lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {
  if (!(lr > 0.0f)) throw FrameworkError("Adam: learning rate must be positive");
  if (beta1 < 0.0f || beta1 >= 1.0f || beta2 < 0.0f || beta2 >= 1.0f)
    throw FrameworkError("Adam: betas must be in [0, 1)");
  m_.resize(params_.size());
  v_.resize(params_.size());
}

void Adam::step() {
  ++t_;
  const float correction1 = 1.0f - std::pow(beta1_, static_cast<float>(t_));
  const float correction2 = 1.0f - std::pow(beta2_, static_cast<float>(t_));
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i];
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    NoGradGuard no_grad(*p.context());
    LabelScope label(*p.context(), "adam");
    m_[i] = m_[i].defined() ? m_[i] * beta1_ + g * (1.0f - beta1_) : g * (1.0f - beta1_);
    const Tensor g2 = g * g;
    v_[i] = v_[i].defined() ? v_[i] * beta2_ + g2 * (1.0f - beta2_) : g2 * (1.0f - beta2_);
    const Tensor denom = power(v_[i], 0.5f) * (1.0f / std::sqrt(correction2)) + eps_;
    p.assign(p - m_[i] / denom * (lr_ / correction1));
  }
}

}  // namespace gpusim::framework::optim
