// SyslogParser: one syslog message (framing already removed) to an Event with
// the legacy field names of Logstash's syslog input.
//
// Accepted:
//   RFC5424  <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP
//            MSGID SP STRUCTURED-DATA [SP MSG]      ("-" = absent field)
//   RFC3164  <PRI>TIMESTAMP SP [HOSTNAME SP] [TAG[\[PID\]][:] [SP]] MSG
//            TIMESTAMP: "Mmm dd hh:mm:ss" (dd may be space-padded, optional
//            fraction, optional year after the day or the time) or RFC 3339
//            (rsyslog's ForwardFormat). TAG needs no colon (rsyslog writes
//            "myapp via rsyslog"); a first word ending in ':' or "]:" is a tag,
//            so a message without hostname still parses.
// Fields: priority, facility, severity (numbers), facility_label,
// severity_label (when use_labels), timestamp (the text as received),
// logsource, program, pid (string), message; RFC5424 adds version (number),
// msgid and structured data as [sd][SD-ID][PARAM] (a repeated PARAM becomes
// an array). @timestamp is the message's time; a zone-less time is in the
// configured zone (UTC by default; DST rules go on past 2037). A zone-less
// time in a DST gap still gives an event: it is read with the offset before
// the gap (02:30 in a 02:00-03:00 gap is 03:30 summer time); one in an
// overlap takes the earlier instant. A year-less time gets the year that puts
// it closest to the receive time (December lines read in January fall in the
// old year). Trailing CR/LF/NUL are dropped, a UTF-8 BOM before MSG is dropped.
//
// Bad input: anything else (no <PRI>, PRI > 191, a malformed header or
// structured data, an impossible date) keeps the whole frame as message, gets
// priority 13 (user-level notice, as RFC 3164 and Logstash say) and the tag
// `_syslogparsefailure`; @timestamp is the receive time. Never throws.
//
// Thread-safety: one parser per thread. parse() is const, but the zone
// remembers the last offset period it used (see TimeZoneRules); the syslog
// input calls it from its one thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/event.h"
#include "engine/text/time_zone_rules.h"

namespace logpipe {

constexpr const char* kSyslogParseFailureTag = "_syslogparsefailure";

struct SyslogParserSettings {
  bool use_labels = true;
  std::vector<std::string> facility_labels;  // empty: Logstash's defaults
  std::vector<std::string> severity_labels;
  TimeZoneRules zone;  // for times written without a zone
};

const std::vector<std::string>& default_facility_labels();
const std::vector<std::string>& default_severity_labels();

class SyslogParser {
 public:
  explicit SyslogParser(SyslogParserSettings settings = {});

  // The event for one frame; received = when it arrived.
  Event parse(std::string_view frame, Timestamp received) const;
  // Same, filling an event that already holds @timestamp/@version/message
  // (from a codec): its message is parsed and replaced.
  void parse_into(Event& e, std::string_view frame, Timestamp received) const;

 private:
  bool parse_rfc5424(std::string_view rest, Event& e, Timestamp received) const;
  bool parse_rfc3164(std::string_view rest, Event& e, Timestamp received) const;
  void set_priority(Event& e, int priority, bool fresh) const;

  SyslogParserSettings settings_;
};

}  // namespace logpipe
