// The codecs: how input bytes become events and events become output bytes.
//
//   plain       decode: the whole chunk is one event's message.
//               encode: `format` (sprintf) or Event#to_s, no delimiter.
//   line        decode: one event per line (partial lines wait for the next
//               chunk; flush() emits the last unterminated line).
//               encode: `format` or Event#to_s, then `delimiter`.
//   json        decode: a JSON object is one event, an array of objects one
//               event per element; invalid JSON is tagged _jsonparsefailure.
//               encode: the event as one compact JSON object, no newline.
//   json_lines  decode: one JSON document per line. encode: JSON + delimiter.
//   rubydebug   encode: Logstash's awesome_print layout, for people reading
//               stdout; decode treats input as plain.
//   dots        encode: one '.' per event; outputs only.
//   multiline   decode: lines joined into events by a grok pattern, state per
//               stream (see multiline_codec.cpp). encode: Event#to_s.
//   cef         ArcSight Common Event Format, decode and encode (cef_codec.cpp).
//
// Options and defaults are Logstash's (charset: see charset.h for the ones
// supported; ecs_compatibility defaults to "disabled"). A codec instance
// belongs to one input or output and is not thread-safe; decode never throws
// on bad input, constructors throw OptionError for settings they refuse.
#pragma once

#include <string>

#include "engine/plugin.h"

namespace logpipe {

PluginInfo plain_codec_info();
PluginInfo line_codec_info();
PluginInfo json_codec_info();
PluginInfo json_lines_codec_info();
PluginInfo rubydebug_codec_info();
PluginInfo dots_codec_info();
PluginInfo multiline_codec_info();
PluginInfo cef_codec_info();

// The rubydebug text of one event, ending in "\n"; with_metadata adds
// "@metadata" (when not empty) as the last key.
void append_rubydebug(const Event& e, bool with_metadata, std::string& out);

}  // namespace logpipe
