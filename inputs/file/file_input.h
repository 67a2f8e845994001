// file input: reads lines from files named by glob patterns — Logstash's
// `file` input, with its options, defaults and sincedb format.
//
// mode => "tail" (default) follows files as they grow, like `tail -F`: a file
// renamed or deleted is read to its end and dropped, a new file at the path
// (rotation) is read from its start, a file that shrank (truncation) is read
// again from 0. start_position ("end" by default) says where files found at
// start-up and not in the sincedb begin; files appearing later are read whole.
// mode => "read" reads each file once to its end (the last line even without
// a delimiter), then applies file_completed_action (delete / log /
// log_and_delete) once every event of that file has been delivered;
// exit_after_read => true makes run() return when all files are done.
//
// Files are identified by inode and device, so a rename keeps the position.
// Positions go to the sincedb file ("inode major minor position last_active
// path" per line, as Logstash writes it) only once the events before them are
// committed: a crash repeats lines, it never loses them. It is written at most
// every sincedb_write_interval, at the end of run() and on destruction;
// sincedb_path => "/dev/null" keeps positions in memory only.
//
// Each event: message = the line without its delimiter (a "\r" stays), `path`
// and `host` (legacy names, unless the codec set them), [@metadata][path] and
// [@metadata][host]. A line longer than max_line_bytes is cut there, tagged
// `_line_too_long`, and the rest of it up to the delimiter is skipped.
// Every file has its own codec (lines of two files never meet in multiline's
// buffer), given whole lines (Codec::decode_line), ticked while the input
// waits and flushed when the file ends (read mode, rotation) or at shutdown.
// Lines a codec still holds are counted as read: a crash loses them.
//
// Threads: run() on the input's thread; stop() from any thread; committed() on
// a worker thread. They share only the batch → positions map and the committed
// positions, each behind its own mutex taken once per batch, never per line.
// Bad input: a missing, vanished or unreadable file is logged once and skipped.
#pragma once

#include <cstddef>
#include <memory>

#include "engine/plugin.h"

namespace logpipe {

PluginInfo file_input_info();

constexpr size_t kFileInputMaxLineBytes = size_t{16} << 20;

// As file_input_info().make_input, with the long-line cap chosen (for tests).
std::unique_ptr<Input> make_file_input(const PluginArgs& args,
                                       size_t max_line_bytes = kFileInputMaxLineBytes);

}  // namespace logpipe
