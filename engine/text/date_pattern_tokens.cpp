#include "engine/text/date_pattern_tokens.h"

namespace logpipe {

bool tokenize_date_pattern(std::string_view p, DatePatternDialect dialect,
                           std::vector<DatePatternToken>* tokens, std::string* error) {
  tokens->clear();
  size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    DatePatternToken token;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      size_t j = i;
      while (j < p.size() && p[j] == c) ++j;
      token.letter = c;
      token.count = static_cast<int>(j - i);
      tokens->push_back(std::move(token));
      i = j;
      continue;
    }
    if (c != '\'') {
      token.text = std::string(1, c);
      tokens->push_back(std::move(token));
      ++i;
      continue;
    }
    token.quoted = true;
    if (i + 1 < p.size() && p[i + 1] == '\'') {
      token.text = "'";
      tokens->push_back(std::move(token));
      i += 2;
      continue;
    }
    size_t j = i + 1;
    bool closed = false;
    while (j < p.size()) {
      if (p[j] == '\'') {
        if (j + 1 < p.size() && p[j + 1] == '\'') {
          token.text += '\'';
          j += 2;
          continue;
        }
        closed = true;
        ++j;
        break;
      }
      token.text += p[j++];
    }
    if (!closed && dialect == DatePatternDialect::JavaTime) {
      if (error) *error = "pattern \"" + std::string(p) + "\" ends with an incomplete string literal";
      return false;
    }
    tokens->push_back(std::move(token));
    i = j;
  }
  return true;
}

}  // namespace logpipe
