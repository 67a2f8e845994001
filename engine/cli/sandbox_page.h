// `logpipe sandbox --http HOST:PORT -f team/filter.conf [FILE...]`: a local
// page where one edits the filter config and the sample lines side by side
// and sees, as one types, each event's fields and tags and, for a grok
// that failed, the line with the part that matched and the point where
// matching stopped marked. Served by cpp-httplib (as the monitoring API);
// the page, its script and its style are compiled in: no build step, no CDN.
//
//   GET  /              the page (/sandbox.js, /sandbox.css beside it)
//   GET  /api/session   {"config_name","config","samples","codec"}: what -f
//                       and the sample files held when the server started
//   POST /api/run       {"config","samples","codec"} (application/json) ->
//                       {"compiled","errors","events":[{"event","grok"}],
//                        "events_shown","summary","took_ms"}
//
// Each run is the terminal sandbox's (run_sandbox): the same compiler, codec
// and FilterGraph. Requests whose Host is not this machine's loopback name
// are refused (a page elsewhere cannot reach it through DNS rebinding), and
// /api/run takes JSON only (a form on another site cannot post to it
// without a preflight this server does not answer).
#pragma once

#include <string>

namespace logpipe {

struct SandboxPageOptions {
  std::string host = "127.0.0.1";
  int port = 0;                 // 0: any free port (the URL printed says which)
  std::string config_name;      // shown on the page and in errors
  std::string config_text;
  std::string samples_text;
  std::string codec = "line";
  size_t max_events_shown = 500;  // the summary still counts every event
};

// Prints "logpipe sandbox: http://HOST:PORT/" on stdout once listening, and
// serves until SIGINT or SIGTERM. Returns 0, or 1 when the address cannot be
// bound.
int serve_sandbox_page(const SandboxPageOptions& options);

// Parses --http's "HOST:PORT" or "PORT" (host 127.0.0.1). False when malformed.
bool parse_http_address(const std::string& text, std::string* host, int* port);

// The page's assets (engine/cli/sandbox_page_assets.cpp).
extern const char kSandboxPageHtml[];
extern const char kSandboxPageJs[];
extern const char kSandboxPageCss[];

}  // namespace logpipe
