// RetryBackoff: how long to wait before submitting events an output asked to
// retry: exponential from `initial_ms`, capped at `max_ms`, with "equal
// jitter" (half the step fixed, half random) so that many outputs or hosts
// failing together do not come back in lockstep.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

namespace logpipe {

struct RetryBackoff {
  int64_t initial_ms = 100;
  int64_t max_ms = 5000;

  // Delay before attempt number `attempt` (1 for the first retry).
  int64_t delay_ms(int attempt, std::minstd_rand& rng) const {
    int64_t step = initial_ms;
    for (int i = 1; i < attempt && step < max_ms; ++i) step *= 2;
    step = std::min(step, max_ms);
    int64_t half = step / 2;
    std::uniform_int_distribution<int64_t> jitter(0, half > 0 ? half : 0);
    return step - half + jitter(rng);
  }
};

}  // namespace logpipe
