// statsd output: metrics derived from events, sent to a statsd daemon —
// Logstash's `statsd` output, its options and its metric names.
//
// For every event, each configured metric becomes one statsd line
//   [<namespace>.]<sender>.<metric>:<value>|<type>[|@<sample_rate>]
// with increment (value 1) and decrement (-1) as counters (c), count (c),
// timing (ms), gauge (g) and set (s). namespace, sender, metric names and
// values are formatted per event (%{field}). As Logstash does: in the sender
// "::" becomes ".", then ":", "|", "@" and "." become "_"; in the metric
// name "::" becomes "." and ":", "|", "@" become "_". With sample_rate < 1
// each line is sent with that probability and carries |@rate.
//
// Lines are made on the filter workers (the output's encoder) and sent by the
// output's thread, several per datagram (newline-separated, at most 1432
// bytes: what fits an Ethernet MTU without fragmenting), or over TCP with
// protocol => tcp. statsd is lossy by design, and this output never holds the
// pipeline up: an unresolvable host, a refused port or a full socket buffer
// drops the metrics, counts them and logs at most once every 10 s; the host
// is looked up again every 30 s while it fails. Events are always reported
// delivered.
#pragma once

#include "engine/plugin.h"

namespace logpipe {

PluginInfo statsd_output_info();

}  // namespace logpipe
