// Verification mode: a device backend checked op by op against the CPU reference.
#include <gtest/gtest.h>

#include "framework/backends.h"
#include "framework/ops.h"
#include "framework/trainer.h"
#include "framework/verifying_backend.h"

namespace fw = gpusim::framework;
using fw::Tensor;

namespace {

// A deliberately wrong backend: exp is off by 1e-3 relative at element 5, and matmul is fine.
class FaultyExpBackend : public fw::CpuBackend {
 public:
  std::string name() const override { return "faulty"; }
  void unary(fw::UnaryKind kind, float param, const fw::Buffer& in, fw::Buffer& out) override {
    fw::CpuBackend::unary(kind, param, in, out);
    if (kind == fw::UnaryKind::Exp) dynamic_cast<fw::CpuBuffer&>(out).values.at(5) *= 1.001f;
  }
};

}  // namespace

TEST(Verification, ReportsFirstMismatchWithOpIndexAndValues) {
  auto ctx = std::make_shared<fw::Context>();
  auto backend = std::make_shared<fw::VerifyingBackend>(std::make_shared<FaultyExpBackend>());
  const Tensor x = Tensor::from_vector(std::vector<float>(8, 1.0f), {8}, backend, ctx);
  EXPECT_NO_THROW(fw::matmul(fw::reshape(x, {2, 4}), fw::reshape(x, {4, 2})));
  try {
    fw::exp(x);
    FAIL() << "mismatch not reported";
  } catch (const fw::VerificationError& e) {
    const std::string msg = e.what();
    for (const char* f : {"op 'exp'", "index 5 of 8", "faulty 2.72", "cpu 2.71828"})
      EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  }
}

TEST(Verification, SimTrainingStepsPassVerification) {
  fw::BackendSpec spec;
  spec.name = "sim";
  spec.verify = true;
  fw::BackendPtr sim = fw::make_backend(spec);
  auto* verifier = dynamic_cast<fw::VerifyingBackend*>(sim.get());
  ASSERT_NE(verifier, nullptr);
  auto ctx = std::make_shared<fw::Context>();
  std::mt19937 rng(1);
  auto model = fw::nn::make_mlp({12, 16, 3}, rng, sim, ctx);
  fw::optim::Adam adam(model->parameters(), 0.01f);
  fw::data::Batch batch;
  batch.size = 5;
  for (size_t i = 0; i < 5 * 12; ++i) batch.images.push_back(static_cast<float>((i * 37) % 11) / 11.0f);
  batch.labels = {0, 1, 2, 1, 0};
  float first = 0.0f, last = 0.0f;
  for (int step = 0; step < 3; ++step) {
    last = fw::train_step(*model, adam, batch, 12, sim, ctx);
    if (step == 0) first = last;
  }
  EXPECT_LT(last, first);
  EXPECT_GT(verifier->ops_verified(), 50u);
  // Launch recording sees each kernel with the op that issued it.
  fw::DeviceBackend* device = fw::device_backend_of(sim);
  ASSERT_NE(device, nullptr);
  device->set_recording(true);
  fw::train_step(*model, adam, batch, 12, sim, ctx);
  bool saw_matmul = false, saw_backward = false, saw_optimizer = false;
  for (const fw::LaunchRecord& l : device->launches()) {
    EXPECT_GT(l.stats.warp_instructions, 0u) << l.stats.kernel;
    saw_matmul = saw_matmul || (l.op == "matmul" && l.stats.kernel == "fw_matmul");
    saw_backward = saw_backward || l.op.find("(backward)") != std::string::npos;
    saw_optimizer = saw_optimizer || l.op.rfind("adam: ", 0) == 0;
  }
  EXPECT_TRUE(saw_optimizer);
  EXPECT_TRUE(saw_matmul);
  EXPECT_TRUE(saw_backward);
}
