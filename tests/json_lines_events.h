// Reads what a file output with codec json_lines wrote back into events, for
// end-to-end tests that check fields. A line that is not a JSON object fails
// the test.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "engine/event/event.h"
#include "engine/text/json_reader.h"
#include "tests/subprocess.h"

namespace logpipe::testing {

inline std::vector<Event> read_json_lines_events(const std::string& path) {
  std::vector<Event> events;
  std::istringstream lines(read_text_file(path));
  for (std::string line; std::getline(lines, line);) {
    Value v;
    std::string error;
    if (!parse_json(line, &v, &error) || !v.is_object()) {
      ADD_FAILURE() << path << ": not a JSON object: " << line << " " << error;
      continue;
    }
    Event e;
    e.fields() = std::move(v.as_object());
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace logpipe::testing
