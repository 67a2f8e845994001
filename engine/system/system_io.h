// Small POSIX helpers shared by plugins: writing a whole buffer to a file
// descriptor, the host name, naming a thread. All are safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace logpipe {

// Writes all of data to fd through EINTR, partial writes and a non-blocking
// descriptor (waits with poll). Returns false with errno set on failure.
bool write_fully(int fd, std::string_view data);

// This machine's host name (what Logstash's inputs put in `host`), looked up
// once; "localhost" if it cannot be read.
const std::string& local_hostname();

// Names the calling thread for top -H and perf (cut to Linux's 15 characters).
void name_this_thread(const std::string& name);

}  // namespace logpipe
