// The differentiable tensor operations. Binary element-wise ops broadcast with numpy rules;
// axes may be negative (counted from the end). Every function throws FrameworkError naming the
// op on invalid shapes or axes.
#pragma once

#include <cstdint>
#include <vector>

#include "framework/tensor.h"

namespace gpusim::framework {

// Element-wise, with broadcasting.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
// Element-wise with a scalar.
Tensor add_scalar(const Tensor& a, float s);
Tensor mul_scalar(const Tensor& a, float s);
Tensor power(const Tensor& a, float exponent);  // a^exponent
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor sigmoid(const Tensor& a);
// Not differentiable (their gradient is zero almost everywhere): 1.0 where a > 0 / a == b.
Tensor step(const Tensor& a);
Tensor equal(const Tensor& a, const Tensor& b);

// Linear algebra and layout.
Tensor matmul(const Tensor& a, const Tensor& b);  // [m,k] x [k,n]
Tensor transpose(const Tensor& a, long axis0 = -2, long axis1 = -1);
Tensor reshape(const Tensor& a, const Shape& shape);
Tensor broadcast_to(const Tensor& a, const Shape& shape);
// Sums `a` down to `shape` (the inverse of broadcast_to, used by gradients).
Tensor sum_to(const Tensor& a, const Shape& shape);

// Reductions; an empty axis list reduces over all axes.
Tensor sum(const Tensor& a, const std::vector<long>& axes = {}, bool keepdims = false);
Tensor mean(const Tensor& a, const std::vector<long>& axes = {}, bool keepdims = false);
Tensor max(const Tensor& a, long axis, bool keepdims = false);

// Along the last axis.
Tensor log_softmax(const Tensor& logits);
// Mean over rows of -log softmax(logits)[label] for [rows, classes] logits.
Tensor cross_entropy(const Tensor& logits, const std::vector<int32_t>& labels);
// A [labels.size(), classes] matrix on the backend and context of `like`.
Tensor one_hot(const std::vector<int32_t>& labels, size_t classes, const Tensor& like);
// x / sqrt(mean(x^2, last axis) + eps) * weight, weight broadcast along the last axis.
Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps = 1e-6f);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, float s) { return add_scalar(a, s); }
inline Tensor operator+(float s, const Tensor& a) { return add_scalar(a, s); }
inline Tensor operator-(const Tensor& a, float s) { return add_scalar(a, -s); }
inline Tensor operator-(float s, const Tensor& a) { return add_scalar(neg(a), s); }
inline Tensor operator*(const Tensor& a, float s) { return mul_scalar(a, s); }
inline Tensor operator*(float s, const Tensor& a) { return mul_scalar(a, s); }
inline Tensor operator/(const Tensor& a, float s) { return mul_scalar(a, 1.0f / s); }

}  // namespace gpusim::framework
