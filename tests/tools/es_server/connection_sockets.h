// Reaching the sockets cpp-httplib accepted, which it does not expose: the
// fake server needs them to end connections the way a crashing or stopping
// Elasticsearch does (a TCP reset with no HTTP response; connections closed
// when the node stops listening). Sockets are found by their ports among the
// process's descriptors (Linux /proc/self/fd and /proc/self/net/tcp).
#pragma once

#include <vector>

namespace logpipe::es_fake {

// Descriptors of TCP connections whose local port is `local_port` (accepted by
// our listener), optionally only the one whose peer port is `remote_port`.
std::vector<int> accepted_sockets(int local_port, int remote_port = -1);

// Sends a TCP RST now and leaves `fd` pointing at /dev/null: httplib, which
// still owns the descriptor, then fails its write harmlessly and closes it, so
// the client sees its connection reset without a byte of response.
void reset_connection(int fd);

// Ends every accepted connection on `local_port` except the one from
// `spared_remote_port` (FIN; httplib's threads see EOF and let go).
void shut_down_connections(int local_port, int spared_remote_port = -1);

}  // namespace logpipe::es_fake
