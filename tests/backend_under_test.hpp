// What the tests built twice (CPU, and with LL_TEST_CUDA on the GPU) share: the backend a test
// body runs on, and a fixture that skips the GPU build when no device answers.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "host/backend.hpp"

namespace ll_test {

// The backend under test. The CPU build runs the CPU; the GPU build runs CUDA.
inline std::vector<ll::LinkOutcome> run_under_test(const ll::BatchSetup& batch) {
#if defined(LL_TEST_CUDA)
  return ll::run_batch_cuda(batch);
#else
  return ll::run_batch_cpu(batch, 2);
#endif
}

class BackendUnderTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(LL_TEST_CUDA)
    const ll::CudaProbe probe = ll::probe_cuda();
    if (!probe.usable) GTEST_SKIP() << "no usable GPU: " << probe.message;
#endif
  }
};

}  // namespace ll_test
