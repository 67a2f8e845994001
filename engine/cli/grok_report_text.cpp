#include "engine/cli/grok_report_text.h"

namespace logpipe {

namespace {

const Value* member(const Value& v, std::string_view key) {
  return v.is_object() ? v.as_object().find(key) : nullptr;
}

std::string string_member(const Value& v, std::string_view key) {
  const Value* m = member(v, key);
  return m && m->is_string() ? m->as_string() : std::string();
}

size_t offset_member(const Value& v, std::string_view key) {
  const Value* m = member(v, key);
  return m && m->is_int() ? static_cast<size_t>(m->as_int()) : 0;
}

// Control characters shown as spaces so the caret line stays aligned.
std::string printable(std::string_view line) {
  std::string out(line);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = ' ';
  return out;
}

void render_failure(const Value& f, std::string_view line, const TerminalStyle& style,
                    std::string_view indent, std::string& out) {
  out += std::string(indent) + "pattern " + style.name(string_member(f, "pattern")) + "\n";
  if (const Value* within = member(f, "within");
      within && within->is_array() && !within->as_array().empty()) {
    std::string path;
    for (auto& w : within->as_array()) path += (path.empty() ? "" : " > ") + w.as_string();
    out += std::string(indent) + "  within   " + style.dim(path) + "\n";
  }
  std::string parts;
  if (const Value* matched = member(f, "matched_parts"); matched && matched->is_array())
    for (auto& p : matched->as_array()) parts += p.as_string();
  out += std::string(indent) + "  matched  " +
         (parts.empty() ? style.dim("(nothing)") : style.good(parts)) + "\n";
  out += std::string(indent) + "  failed   " + style.bad(string_member(f, "failed_part"));
  size_t stop = offset_member(f, "stop");
  out += " at offset " + std::to_string(stop) + "\n";
  out += std::string(indent) + "  " + printable(line) + "\n";
  out += std::string(indent) + "  " + style.bad(caret_under(line, stop)) + "\n";
}

}  // namespace

std::string caret_under(std::string_view line, size_t offset) {
  std::string out;
  for (size_t i = 0; i < offset && i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    out += c == '\t' ? '\t' : ' ';
  }
  return out + "^";
}

std::string render_grok_report(const Value& report, std::string_view line,
                               const TerminalStyle& style, std::string_view indent) {
  std::string out;
  const Value* matched = member(report, "matched");
  if (matched && matched->is_bool() && matched->as_bool()) {
    out += std::string(indent) + style.good("matched") + " pattern " +
           std::to_string(offset_member(report, "pattern_index") + 1) + " " +
           style.name(string_member(report, "pattern")) + "\n";
    if (const Value* captures = member(report, "captures"); captures && captures->is_array())
      for (auto& c : captures->as_array())
        out += std::string(indent) + "  " + style.bold(string_member(c, "field")) + " = " +
               string_member(c, "value") + "\n";
    return out;
  }
  const Value* failures = member(report, "failures");
  size_t count = failures && failures->is_array() ? failures->as_array().size() : 0;
  out += std::string(indent) + style.bad("no match") +
         (count > 1 ? " (" + std::to_string(count) + " patterns, furthest first)" : "") + "\n";
  if (!count) return out;
  const Array& all = failures->as_array();
  size_t furthest = offset_member(report, "furthest");
  if (furthest < all.size()) render_failure(all[furthest], line, style, indent, out);
  for (size_t i = 0; i < all.size(); ++i)
    if (i != furthest) render_failure(all[i], line, style, indent, out);
  return out;
}

}  // namespace logpipe
