// stdout output: writes each event, encoded by its codec (rubydebug by
// default), to standard output.
//
// A batch is encoded into one buffer and written with one write(2) loop, so
// events of different batches never interleave and, when receive() returns,
// every byte is with the OS. A failed write (stdout closed) throws. Not
// thread-safe: the pipeline calls receive() for one batch at a time.
#pragma once

#include "engine/plugin.h"

namespace logpipe {

PluginInfo stdout_output_info();

}  // namespace logpipe
