// dead_letter_queue input: reads back the events outputs refused for good
// (engine/runtime/dead_letter_sink.h), for reprocessing — Logstash's
// `dead_letter_queue` input, over logpipe's own segment format.
//
// Reads the segments of <path>/<pipeline_id>/ in order, one event per line:
// the refused event as it was (fields and @metadata), plus
//   [@metadata][dead_letter_queue] = {entry_time, plugin_id, plugin_type, reason}
// At the end of the last segment it waits for more (a running pipeline keeps
// adding) until shutdown. A line that is not a dead-letter entry becomes an
// event with the line as `message`, tagged `_dead_letter_queue_parse_failure`.
//
// Position: with commit_offsets (the default), the segment and offset after
// the last event every output accepted are stored in sincedb_path (default
// <path.data>/dead_letter_queue_input/<id>.sincedb), so a restart goes on
// from there; without, every run reads from the start. start_timestamp skips
// entries written before it. clean_consumed deletes a segment once every
// event in it is accepted and a later segment exists.
#pragma once

#include "engine/plugin.h"

namespace logpipe {

PluginInfo dead_letter_queue_input_info();

}  // namespace logpipe
