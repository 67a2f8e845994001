// stdout output: writes each event, encoded by its codec (rubydebug by
// default), to standard output.
//
// Events are encoded on the filter workers; the output's own thread writes a
// batch's bytes with one write(2) loop, so events of different batches never
// interleave and, when deliver() returns, every byte is with the OS. A failed
// write (stdout closed) throws, and the output stage retries the batch.
#pragma once

#include "engine/plugin.h"

namespace logpipe {

PluginInfo stdout_output_info();

}  // namespace logpipe
