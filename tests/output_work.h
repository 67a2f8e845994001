// OutputWorkForTest: hands events to an output the way the output stage does
// (encoded by the output's own encoder, submitted, completed) without a
// pipeline, so output tests see each event's outcome.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/plugin.h"

namespace logpipe::testing {

class OutputWorkForTest final : public OutputWork {
 public:
  OutputWorkForTest(const std::vector<const Event*>& events, OutputEncoder* encoder) {
    events_ = events;
    outcomes_.assign(events.size(), Delivery::Delivered);
    if (encoder) {
      for (const Event* e : events) {
        encoder->encode(*e, bytes_);
        ends_.push_back(bytes_.size());
      }
    }
  }
  void complete() override { ++completions; }
  int completions = 0;
};

// Submits events to out and checks the output completed the work once.
// Returns the outcome of each event.
inline std::vector<Delivery> submit_to(Output& out, const std::vector<const Event*>& events) {
  std::unique_ptr<OutputEncoder> encoder = out.make_encoder();
  OutputWorkForTest work(events, encoder.get());
  out.submit(work);
  EXPECT_EQ(work.completions, 1) << "an output completes each work exactly once";
  std::vector<Delivery> outcomes;
  for (size_t i = 0; i < work.size(); ++i) outcomes.push_back(work.outcome(i));
  return outcomes;
}

}  // namespace logpipe::testing
