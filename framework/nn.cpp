#include "framework/nn.h"

#include <cmath>

#include "framework/ops.h"

namespace gpusim::framework::nn {

void Module::zero_grad() {
  for (Tensor& p : parameters()) p.zero_grad();
}

namespace {
// Re-homes a parameter: a new leaf on `backend` with the same values, label and requires_grad.
void move_parameter(Tensor& p, const BackendPtr& backend) { p = p.to(backend); }
}  // namespace

Linear::Linear(size_t in_features, size_t out_features, std::mt19937& rng, BackendPtr backend, ContextPtr context)
    : in_(in_features), out_(out_features) {
  if (in_features == 0 || out_features == 0) throw FrameworkError("Linear: feature counts must be positive");
  const float bound = std::sqrt(6.0f / static_cast<float>(in_features));
  std::uniform_real_distribution<float> dist(-bound, bound);
  std::vector<float> w(in_features * out_features);
  for (float& v : w) v = dist(rng);
  weight_ = Tensor::from_vector(w, {in_features, out_features}, backend, context, true);
  bias_ = Tensor::full({out_features}, 0.0f, backend, context, true);
  weight_.set_label("weight");
  bias_.set_label("bias");
}

std::string Linear::name() const { return "Linear(" + std::to_string(in_) + ", " + std::to_string(out_) + ")"; }

Tensor Linear::forward(const Tensor& x) {
  if (x.ndim() != 2 || x.shape()[1] != in_)
    throw FrameworkError(name() + ": expects input [batch, " + std::to_string(in_) + "], got " + to_string(x.shape()));
  return matmul(x, weight_) + bias_;
}

void Linear::to(const BackendPtr& backend) {
  move_parameter(weight_, backend);
  move_parameter(bias_, backend);
}

Tensor ReLU::forward(const Tensor& x) { return relu(x); }

Tensor Flatten::forward(const Tensor& x) {
  if (x.ndim() < 1) throw FrameworkError("Flatten: needs a batch axis, got a scalar");
  const size_t batch = x.shape()[0];
  return reshape(x, {batch, batch == 0 ? 0 : x.numel() / batch});
}

RMSNorm::RMSNorm(size_t features, BackendPtr backend, ContextPtr context, float eps)
    : features_(features), eps_(eps), weight_(Tensor::full({features}, 1.0f, backend, context, true)) {
  weight_.set_label("gain");
}

Tensor RMSNorm::forward(const Tensor& x) { return rms_norm(x, weight_, eps_); }

void RMSNorm::to(const BackendPtr& backend) { move_parameter(weight_, backend); }

std::string Sequential::name() const {
  std::string s = "Sequential(";
  for (size_t i = 0; i < layers_.size(); ++i) s += (i ? ", " : "") + layers_[i]->name();
  return s + ")";
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (const ModulePtr& layer : layers_) h = layer->forward(h);
  return h;
}

std::vector<Tensor> Sequential::parameters() {
  std::vector<Tensor> all;
  for (const ModulePtr& layer : layers_)
    for (Tensor& p : layer->parameters()) all.push_back(p);
  return all;
}

void Sequential::to(const BackendPtr& backend) {
  for (const ModulePtr& layer : layers_) layer->to(backend);
}

std::shared_ptr<Sequential> make_mlp(const std::vector<size_t>& widths, std::mt19937& rng, BackendPtr backend,
                                     ContextPtr context) {
  if (widths.size() < 2) throw FrameworkError("make_mlp: needs at least an input and an output width");
  std::vector<ModulePtr> layers;
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    if (i > 0) layers.push_back(std::make_shared<ReLU>());
    layers.push_back(std::make_shared<Linear>(widths[i], widths[i + 1], rng, backend, context));
  }
  return std::make_shared<Sequential>(std::move(layers));
}

}  // namespace gpusim::framework::nn
