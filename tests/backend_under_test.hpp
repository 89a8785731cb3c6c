// What the tests built twice (CPU, and with LL_TEST_CUDA on the GPU) share: the backend a test
// body runs on, and a fixture that skips the GPU build when no device answers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "host/run/runner.hpp"

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

// The default lane with Gaussian receiver noise only and every bandwidth infinite, its received
// levels equally spaced (optical level spacing), run for exactly `bits` (no early stop): the
// setting in which the SER has a closed form (TIA noise over a 50 GHz noise bandwidth).
inline std::vector<std::string> gaussian_noise_only_lane(std::uint64_t bits) {
  return {"signal.samples_per_ui=4",
          "driver.bandwidth_ghz=inf",
          "receiver.bandwidth_ghz=inf",
          "receiver.noise_bandwidth_ghz=50",
          "receiver.shot_noise=false",
          "laser.rin_db_per_hz=-inf",
          "driver.level_spacing=\"optical\"",
          "laser.power_dbm=6",
          "eye.symbols=0",
          "run.target_errors=" + std::to_string(~0ull >> 1),
          "run.max_bits=" + std::to_string(bits)};
}

// Runs `run`'s scenario as `lightlane run` does, on the CPU, writing `path`; the exit status.
inline int run_cpu_to_file(const ll::PreparedRun& run, const std::string& path) {
  ll::RunOptions options;
  options.backend = "cpu";
  options.output_path = path;
  std::ostringstream out, err;
  return ll::execute_run(ll::plan_sweep(run.scenario), options, out, err);
}

}  // namespace ll_test
