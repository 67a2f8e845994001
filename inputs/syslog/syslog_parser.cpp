#include "inputs/syslog/syslog_parser.h"

#include <cstdlib>
#include <cstring>

#include "engine/text/civil_time.h"
#include "engine/text/date_names.h"

namespace logpipe {

namespace {

constexpr int kUnknownPriority = 13;  // RFC 3164 §4.3.3: user-level notice

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int64_t civil_year_of(int64_t seconds) {
  return civil::civil_from_days(civil::floor_div(seconds, 86400)).year;
}

// Reads exactly n digits at s[*i].
bool digits(std::string_view s, size_t* i, int n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

// ".ffffff" (any number of digits, nanoseconds kept).
void fraction(std::string_view s, size_t* i, int64_t* nanos) {
  *nanos = 0;
  if (*i >= s.size() || (s[*i] != '.' && s[*i] != ',')) return;
  size_t j = *i + 1;
  int64_t scale = 100000000;
  while (j < s.size() && is_digit(s[j])) {
    *nanos += (s[j] - '0') * scale;
    scale /= 10;
    ++j;
  }
  if (j > *i + 1) *i = j;
}

// Years outside civil::kMinYear..kMaxYear do not fit a Timestamp: such a
// header is not a syslog timestamp we can keep.
bool valid_time(int64_t y, int mo, int d, int h, int mi, int sec) {
  return y >= civil::kMinYear && y <= civil::kMaxYear && mo >= 1 && mo <= 12 && d >= 1 &&
         d <= civil::days_in_month(y, mo) && h < 24 && mi < 60 && sec <= 60;
}

// Zone at s[*i]: Z | +HH:MM | +HHMM | +HH. Absent: false, *i unchanged.
bool zone(std::string_view s, size_t* i, int32_t* offset) {
  if (*i >= s.size()) return false;
  char c = s[*i];
  if (c == 'Z' || c == 'z') {
    ++*i;
    *offset = 0;
    return true;
  }
  if (c != '+' && c != '-') return false;
  size_t j = *i + 1;
  int hh = 0, mm = 0;
  if (!digits(s, &j, 2, &hh)) return false;
  if (j < s.size() && s[j] == ':') ++j;
  if (j < s.size() && is_digit(s[j]) && !digits(s, &j, 2, &mm)) return false;
  if (hh > 23 || mm > 59) return false;
  *offset = (hh * 3600 + mm * 60) * (c == '-' ? -1 : 1);
  *i = j;
  return true;
}

// A whole token in RFC 3339 form: 2026-11-26T04:13:55.502826+00:00.
bool parse_rfc3339(std::string_view s, const TimeZoneRules& tz, int64_t* nanos_out) {
  size_t i = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, &i, 4, &y) || !expect(s, &i, '-') || !digits(s, &i, 2, &mo) ||
      !expect(s, &i, '-') || !digits(s, &i, 2, &d))
    return false;
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't')) return false;
  ++i;
  if (!digits(s, &i, 2, &h) || !expect(s, &i, ':') || !digits(s, &i, 2, &mi) ||
      !expect(s, &i, ':') || !digits(s, &i, 2, &sec))
    return false;
  if (!valid_time(y, mo, d, h, mi, sec)) return false;
  int64_t frac;
  fraction(s, &i, &frac);
  int32_t offset = 0;
  const bool has_zone = zone(s, &i, &offset);
  if (i != s.size()) return false;
  const int64_t local = civil::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  const int64_t utc = has_zone ? local - offset : tz.local_to_utc_shifting_gaps(local);
  *nanos_out = utc * 1000000000LL + frac;
  return true;
}

// A three-letter month name, any case; 0 when it is none.
int month_number(std::string_view s) {
  size_t end = 0;
  int month = english_date_names().match_month(s, &end);
  return end == 3 && s.size() == 3 ? month : 0;
}

// "Mmm dd hh:mm:ss" with variants, at the start of s. On success *len is how
// many bytes it took.
bool parse_bsd_time(std::string_view s, const TimeZoneRules& tz, Timestamp received,
                    int64_t* nanos_out, size_t* len) {
  if (s.size() < 14) return false;
  int mo = month_number(s.substr(0, 3));
  if (!mo || s[3] != ' ') return false;
  size_t i = 4;
  if (s[i] == ' ') ++i;  // "Nov  6"
  int d = 0;
  if (!digits(s, &i, 1, &d)) return false;
  if (i < s.size() && is_digit(s[i])) d = d * 10 + (s[i++] - '0');
  if (!expect(s, &i, ' ')) return false;
  int64_t year = -1;
  int y4 = 0;
  size_t j = i;
  if (digits(s, &j, 4, &y4) && j < s.size() && s[j] == ' ') {  // "Nov 26 2026 04:13:16"
    year = y4;
    i = j + 1;
  }
  int h = 0, mi = 0, sec = 0;
  if (!digits(s, &i, 2, &h) || !expect(s, &i, ':') || !digits(s, &i, 2, &mi) ||
      !expect(s, &i, ':') || !digits(s, &i, 2, &sec))
    return false;
  int64_t frac;
  fraction(s, &i, &frac);
  j = i;
  if (year < 0 && j + 5 <= s.size() && s[j] == ' ' && (++j, digits(s, &j, 4, &y4)) &&
      (j == s.size() || s[j] == ' ')) {  // "Nov 26 04:13:16 2026"
    year = y4;
    i = j;
  }
  if (i < s.size() && s[i] != ' ') return false;
  const int64_t day_secs = h * 3600 + mi * 60 + sec;
  int64_t local = 0;
  if (year < 0) {
    // The year closest to the receive time (rollover at new year both ways).
    // Compared in local time (offsets move it by hours, candidates are a year
    // apart) so that only the chosen one is converted: the zone caches one
    // offset period, and converting all three would miss it every time.
    const int64_t now = received.seconds();
    const int64_t local_now = now + tz.offset_at(now);
    const int64_t y0 = civil_year_of(local_now);
    bool found = false;
    for (int64_t y = y0 - 1; y <= y0 + 1; ++y) {
      if (!valid_time(y, mo, d, h, mi, sec)) continue;
      const int64_t t = civil::days_from_civil(y, mo, d) * 86400 + day_secs;
      if (!found || std::llabs(t - local_now) < std::llabs(local - local_now)) local = t;
      found = true;
    }
    if (!found) return false;
  } else {
    if (!valid_time(year, mo, d, h, mi, sec)) return false;
    local = civil::days_from_civil(year, mo, d) * 86400 + day_secs;
  }
  *nanos_out = tz.local_to_utc_shifting_gaps(local) * 1000000000LL + frac;
  *len = i;
  return true;
}

// The token up to the next space (or the end); advances past it and one space.
std::string_view next_token(std::string_view s, size_t* i, bool* had_space) {
  size_t start = *i;
  size_t sp = s.find(' ', start);
  if (sp == std::string_view::npos) {
    *i = s.size();
    *had_space = false;
    return s.substr(start);
  }
  *i = sp + 1;
  *had_space = true;
  return s.substr(start, sp - start);
}

std::string_view strip_bom(std::string_view s) {
  if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.remove_prefix(3);
  return s;
}

// SD-ID and PARAM-NAME: printable US-ASCII except '=', SP, ']', '"'.
bool sd_name_char(char c) { return c > 32 && c < 127 && c != '=' && c != ']' && c != '"'; }

// STRUCTURED-DATA at s[*i] into sd; "-" leaves it empty.
bool parse_structured_data(std::string_view s, size_t* i, Object* sd) {
  if (*i < s.size() && s[*i] == '-') {
    ++*i;
    return true;
  }
  if (*i >= s.size() || s[*i] != '[') return false;
  std::string value;
  while (*i < s.size() && s[*i] == '[') {
    size_t j = *i + 1;
    size_t id_start = j;
    while (j < s.size() && sd_name_char(s[j])) ++j;
    if (j == id_start) return false;
    Value& element = (*sd)[s.substr(id_start, j - id_start)];
    if (!element.is_object()) element = Value(Object());
    for (;;) {
      if (j >= s.size()) return false;
      if (s[j] == ']') {
        ++j;
        break;
      }
      if (s[j] != ' ') return false;
      ++j;
      size_t name_start = j;
      while (j < s.size() && sd_name_char(s[j])) ++j;
      if (j == name_start || j + 1 >= s.size() || s[j] != '=' || s[j + 1] != '"') return false;
      std::string_view name = s.substr(name_start, j - name_start);
      j += 2;
      value.clear();
      for (;;) {
        if (j >= s.size()) return false;
        char c = s[j];
        if (c == '"') break;
        // Only \" \\ \] are escapes; any other backslash is literal (RFC 5424 §6.3.3).
        if (c == '\\' && j + 1 < s.size() &&
            (s[j + 1] == '"' || s[j + 1] == '\\' || s[j + 1] == ']')) {
          value.push_back(s[j + 1]);
          j += 2;
          continue;
        }
        value.push_back(c);
        ++j;
      }
      ++j;  // closing quote
      Object& params = element.as_object();
      if (Value* old = params.find(name)) {
        if (!old->is_array()) *old = Value(Array{std::move(*old)});
        old->as_array().emplace_back(value);
      } else {
        params.entries().emplace_back(std::string(name), Value(value));
      }
    }
    *i = j;
  }
  return true;
}

// PROG as in the grok pattern: printable, no '[', ']', ':' or space.
bool prog_char(char c) {
  return static_cast<unsigned char>(c) > 32 && c != '[' && c != ']' && c != ':' && c != 127;
}

void add(Object& f, bool fresh, const char* key, Value v) {
  if (fresh)
    f.entries().emplace_back(key, std::move(v));
  else
    f.set(key, std::move(v));
}

}  // namespace

const std::vector<std::string>& default_facility_labels() {
  static const std::vector<std::string> labels = {"kernel",
                                                  "user-level",
                                                  "mail",
                                                  "system",
                                                  "security/authorization",
                                                  "syslogd",
                                                  "line printer",
                                                  "network news",
                                                  "UUCP",
                                                  "clock",
                                                  "security/authorization",
                                                  "FTP",
                                                  "NTP",
                                                  "log audit",
                                                  "log alert",
                                                  "clock",
                                                  "local0",
                                                  "local1",
                                                  "local2",
                                                  "local3",
                                                  "local4",
                                                  "local5",
                                                  "local6",
                                                  "local7"};
  return labels;
}

const std::vector<std::string>& default_severity_labels() {
  static const std::vector<std::string> labels = {"Emergency", "Alert",  "Critical",      "Error",
                                                  "Warning",   "Notice", "Informational", "Debug"};
  return labels;
}

SyslogParser::SyslogParser(SyslogParserSettings settings) : settings_(std::move(settings)) {
  if (settings_.facility_labels.empty()) settings_.facility_labels = default_facility_labels();
  if (settings_.severity_labels.empty()) settings_.severity_labels = default_severity_labels();
}

Event SyslogParser::parse(std::string_view frame, Timestamp received) const {
  Event e;
  e.fields().reserve(16);
  parse_into(e, frame, received);
  return e;
}

void SyslogParser::set_priority(Event& e, int priority, bool fresh) const {
  Object& f = e.fields();
  const int facility = priority >> 3, severity = priority & 7;
  add(f, fresh, "priority", Value(priority));
  add(f, fresh, "facility", Value(facility));
  add(f, fresh, "severity", Value(severity));
  if (!settings_.use_labels) return;
  if (static_cast<size_t>(facility) < settings_.facility_labels.size())
    add(f, fresh, "facility_label", Value(settings_.facility_labels[facility]));
  if (static_cast<size_t>(severity) < settings_.severity_labels.size())
    add(f, fresh, "severity_label", Value(settings_.severity_labels[severity]));
}

void SyslogParser::parse_into(Event& e, std::string_view frame, Timestamp received) const {
  const bool fresh = e.fields().empty();
  std::string_view s = frame;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '\0'))
    s.remove_suffix(1);
  // <PRI>: 1 to 3 digits, at most 191.
  int pri = -1;
  size_t i = 0;
  if (s.size() >= 3 && s[0] == '<') {
    int v = 0;
    size_t j = 1;
    while (j < s.size() && j <= 3 && is_digit(s[j])) v = v * 10 + (s[j++] - '0');
    if (j > 1 && j < s.size() && s[j] == '>' && v <= 191) {
      pri = v;
      i = j + 1;
    }
  }
  if (pri >= 0) {
    // A cheap check first: the parsers only append fields after the header is
    // known to be good, so a failure leaves e as it was.
    std::string_view rest = s.substr(i);
    size_t k = 0;
    while (k < rest.size() && k < 3 && is_digit(rest[k])) ++k;
    const bool rfc5424 = k > 0 && k < rest.size() && rest[k] == ' ' && rest[0] != '0';
    bool ok = rfc5424 ? parse_rfc5424(rest, e, received) : parse_rfc3164(rest, e, received);
    if (ok) {
      set_priority(e, pri, fresh);
      return;
    }
  }
  if (fresh)
    e = Event(std::string(frame), received);
  else
    e.fields().set("message", Value(std::string(frame)));
  set_priority(e, kUnknownPriority, fresh);
  e.add_tag(kSyslogParseFailureTag);
}

namespace {

struct Header {
  int version = 0;
  std::string_view timestamp, host, program, pid, msgid, msg;
  int64_t nanos = 0;
  bool has_time = false;
};

// Writes the header fields; replaces @timestamp and message of a codec event.
void fill(Event& e, const Header& h, Object* sd, bool rfc5424, Timestamp received) {
  Object& f = e.fields();
  const bool fresh = f.empty();
  Timestamp ts = h.has_time ? Timestamp{h.nanos} : received;
  add(f, fresh, "@timestamp", Value(ts));
  add(f, fresh, "@version", Value("1"));
  add(f, fresh, "message", Value(std::string(h.msg)));
  if (!h.timestamp.empty()) add(f, fresh, "timestamp", Value(std::string(h.timestamp)));
  if (!h.host.empty()) add(f, fresh, "logsource", Value(std::string(h.host)));
  if (!h.program.empty()) add(f, fresh, "program", Value(std::string(h.program)));
  if (!h.pid.empty()) add(f, fresh, "pid", Value(std::string(h.pid)));
  if (rfc5424) {
    add(f, fresh, "version", Value(h.version));
    if (!h.msgid.empty()) add(f, fresh, "msgid", Value(std::string(h.msgid)));
    if (sd && !sd->empty()) add(f, fresh, "sd", Value(std::move(*sd)));
  }
}

std::string_view nil_dash(std::string_view v) { return v == "-" ? std::string_view() : v; }

}  // namespace

bool SyslogParser::parse_rfc5424(std::string_view s, Event& e, Timestamp received) const {
  Header h;
  size_t i = 0;
  bool sp = false;
  std::string_view version = next_token(s, &i, &sp);
  for (char c : version) h.version = h.version * 10 + (c - '0');
  if (!sp) return false;
  std::string_view fields[5];  // timestamp host app procid msgid
  for (auto& fld : fields) {
    fld = next_token(s, &i, &sp);
    if (!sp || fld.empty()) return false;
  }
  if (fields[0] != "-") {
    if (!parse_rfc3339(fields[0], settings_.zone, &h.nanos)) return false;
    h.has_time = true;
    h.timestamp = fields[0];
  }
  h.host = nil_dash(fields[1]);
  h.program = nil_dash(fields[2]);
  h.pid = nil_dash(fields[3]);
  h.msgid = nil_dash(fields[4]);
  Object sd;
  if (!parse_structured_data(s, &i, &sd)) return false;
  if (i < s.size()) {
    if (s[i] != ' ') return false;
    // Spaces before MSG are skipped, as Logstash's SYSLOG5424LINE pattern does
    // (rsyslog writes two after "-" for messages that came in as RFC 3164).
    while (i < s.size() && s[i] == ' ') ++i;
  }
  h.msg = strip_bom(s.substr(i));
  fill(e, h, &sd, true, received);
  return true;
}

bool SyslogParser::parse_rfc3164(std::string_view s, Event& e, Timestamp received) const {
  Header h;
  size_t i = 0;
  if (!s.empty() && is_digit(s[0])) {
    size_t sp = s.find(' ');
    std::string_view tok = s.substr(0, sp);
    if (!parse_rfc3339(tok, settings_.zone, &h.nanos)) return false;
    i = tok.size();
  } else {
    if (!parse_bsd_time(s, settings_.zone, received, &h.nanos, &i)) return false;
  }
  h.has_time = true;
  h.timestamp = s.substr(0, i);
  if (i < s.size()) ++i;  // the space after the time
  // Hostname, unless the first word is already the tag ("myapp:" / "myapp[1]:").
  size_t word_end = s.find(' ', i);
  if (word_end == std::string_view::npos) word_end = s.size();
  std::string_view word = s.substr(i, word_end - i);
  const bool word_is_tag = !word.empty() && word.back() == ':';
  if (!word_is_tag && !word.empty()) {
    h.host = word;
    i = word_end < s.size() ? word_end + 1 : word_end;
  }
  // TAG: PROG[PID] with an optional ':' and one optional space.
  size_t j = i;
  while (j < s.size() && prog_char(s[j])) ++j;
  if (j > i && j - i <= 128) {
    size_t k = j;
    std::string_view pid;
    if (k < s.size() && s[k] == '[') {
      size_t close = s.find(']', k);
      if (close != std::string_view::npos && close > k + 1) {
        pid = s.substr(k + 1, close - k - 1);
        k = close + 1;
      }
    }
    bool tag_ends = k == s.size() || s[k] == ':' || s[k] == ' ';
    if (tag_ends) {
      h.program = s.substr(i, j - i);
      h.pid = pid;
      if (k < s.size() && s[k] == ':') ++k;
      if (k < s.size() && s[k] == ' ') ++k;
      i = k;
    }
  }
  h.msg = strip_bom(s.substr(i));
  fill(e, h, nullptr, false, received);
  return true;
}

}  // namespace logpipe
