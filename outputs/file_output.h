// file output: appends events, encoded by the codec (json_lines by default),
// to files whose path may depend on the event:
//   path => "/var/log/app/%{type}/%{+yyyy.MM.dd}.log"
//
// Contract, as Logstash's file output:
// - The path is made absolute at start-up (relative to the working
//   directory). Its first directory may not be dynamic. The "file root" is
//   the directory before the first component holding a %{...} (or the file's
//   directory for a fixed path); an event whose path, once "." and ".." are
//   resolved, leaves the root is written to `filename_failure` inside the
//   root instead. So is an event for a missing file when create_if_deleted
//   is false, and one whose file cannot be opened (a directory, no
//   permission).
// - Parent directories are created (dir_mode), files are created with
//   file_mode. Modes are written as in Logstash's docs, 0750: the decimal
//   digits of the number are read as octal digits (750 means rwxr-x---).
// - write_behavior "append" adds each event; "overwrite" truncates the file
//   and keeps only the last event of each batch for it.
// - Delivery: when deliver() returns, every byte has been handed to the OS
//   with write(2); nothing waits in a user-space buffer. flush_interval
//   therefore changes nothing (no fsync is done), and flush() has nothing to
//   do. gzip is refused at start-up (not supported yet).
// - A file deleted or replaced (rotated) under us is reopened at its path on
//   the next batch. Files not written for about 10 seconds are closed; at
//   most 256 stay open at once.
// - Events are encoded by the codec on the filter workers; the output's own
//   thread sorts the bytes into files and writes them, one batch at a time.
//   A write error (disk full, I/O error) throws: the output stage retries the
//   batch with backoff, and it is not acknowledged until it is written.
#pragma once

#include "engine/plugin.h"

namespace logpipe {

PluginInfo file_output_info();

}  // namespace logpipe
