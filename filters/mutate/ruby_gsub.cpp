#include "filters/mutate/ruby_gsub.h"

#include <algorithm>

#include "engine/text/utf8.h"

namespace logpipe {

void GsubReplacement::parse(std::string_view r) {
  parts.clear();
  auto literal = [this]() -> std::string& {
    if (parts.empty() || parts.back().kind != Part::Literal) parts.push_back({});
    return parts.back().text;
  };
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i] != '\\' || i + 1 == r.size()) {
      literal() += r[i];
      continue;
    }
    char n = r[i + 1];
    if (n >= '0' && n <= '9') {
      parts.push_back({Part::Group, {}, n - '0'});
    } else if (n == '&') {
      parts.push_back({Part::Group, {}, 0});
    } else if (n == '`') {
      parts.push_back({Part::Before, {}, 0});
    } else if (n == '\'') {
      parts.push_back({Part::After, {}, 0});
    } else if (n == '+') {
      parts.push_back({Part::LastGroup, {}, 0});
    } else if (n == '\\') {
      literal() += '\\';
    } else if (n == 'k' && i + 2 < r.size() && r[i + 2] == '<' &&
               r.find('>', i + 3) != std::string_view::npos && r.find('>', i + 3) > i + 3) {
      size_t close = r.find('>', i + 3);
      parts.push_back({Part::Named, std::string(r.substr(i + 3, close - i - 3)), 0});
      i = close;
      continue;
    } else {
      literal() += '\\';
      literal() += n;
    }
    ++i;
  }
}

bool GsubReplacement::bind(const re2::RE2& re, std::string* missing) {
  int groups = re.NumberOfCapturingGroups();
  int highest = 0;
  for (auto& p : parts) {
    if (p.kind == Part::Named) {
      auto& names = re.NamedCapturingGroups();
      auto it = names.find(p.text);
      if (it == names.end()) {
        *missing = p.text;
        return false;
      }
      p.kind = Part::Group;
      p.group = it->second;
    }
    if (p.kind == Part::Group) highest = std::max(highest, std::min(p.group, groups));
    if (p.kind == Part::LastGroup) highest = groups;
  }
  submatches = 1 + highest;
  return true;
}

void GsubReplacement::append(std::string& out, std::string_view text, const re2::StringPiece* m) const {
  for (auto& p : parts) {
    switch (p.kind) {
      case Part::Literal: out += p.text; break;
      case Part::Group:
        if (p.group < submatches && m[p.group].data()) out.append(m[p.group].data(), m[p.group].size());
        break;
      case Part::Before: out.append(text.data(), size_t(m[0].data() - text.data())); break;
      case Part::After: {
        size_t end = size_t(m[0].data() - text.data()) + m[0].size();
        out.append(text.substr(end));
        break;
      }
      case Part::LastGroup:
        for (int g = submatches - 1; g > 0; --g) {
          if (m[g].data()) {
            out.append(m[g].data(), m[g].size());
            break;
          }
        }
        break;
      case Part::Named: break;  // bound before use
    }
  }
}

bool ruby_gsub(std::string& s, const re2::RE2& re, const GsubReplacement& rep,
               std::vector<re2::StringPiece>& m, std::string& scratch) {
  if (m.size() < size_t(rep.submatches)) m.resize(size_t(rep.submatches));
  const size_t n = s.size();
  size_t pos = 0;
  bool any = false;
  while (pos <= n) {
    if (!re.Match(s, pos, n, re2::RE2::UNANCHORED, m.data(), rep.submatches)) break;
    size_t start = size_t(m[0].data() - s.data());
    size_t end = start + m[0].size();
    if (!any) {
      scratch.clear();
      scratch.reserve(n + 16);
      any = true;
    }
    scratch.append(s, pos, start - pos);
    rep.append(scratch, s, m.data());
    if (end == start) {
      if (start >= n) {
        pos = n;
        break;
      }
      size_t len;
      decode_utf8(s, start, &len);
      scratch.append(s, start, len);
      pos = start + len;
    } else {
      pos = end;
    }
  }
  if (!any) return false;
  scratch.append(s, pos, std::string::npos);
  s.swap(scratch);
  return true;
}

}  // namespace logpipe
