#include "engine/codecs/line_splitter.h"

namespace logpipe {

namespace {
// A buffer that once held a huge partial line gives its memory back.
constexpr size_t kKeepCapacity = 1 << 20;
}  // namespace

void LineSplitter::keep(std::string_view rest) {
  if (pending_.capacity() > kKeepCapacity && rest.size() < kKeepCapacity / 4) {
    std::string(rest).swap(pending_);
    return;
  }
  pending_.assign(rest.data(), rest.size());
}

std::string LineSplitter::take_rest() {
  std::string rest;
  rest.swap(pending_);
  return rest;
}

}  // namespace logpipe
