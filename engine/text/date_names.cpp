#include "engine/text/date_names.h"

namespace logpipe {

namespace {

bool equal_ignore_case(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char a = text[pos + i], b = word[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
    if (a != b) return false;
  }
  return true;
}

template <size_t N>
int match_longest(std::string_view text, size_t* pos, const std::string_view (&full)[N],
                  const std::string_view (&short_names)[N], int first_value) {
  if (*pos > text.size()) return -1;
  size_t best_len = 0;
  int best = -1;
  for (size_t i = 0; i < N; ++i) {
    for (std::string_view name : {full[i], short_names[i]}) {
      if (name.size() > best_len && equal_ignore_case(text, *pos, name)) {
        best_len = name.size();
        best = static_cast<int>(i) + first_value;
      }
    }
  }
  if (best >= 0) *pos += best_len;
  return best;
}

const DateNames kEnglish = {
    {"January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"},
    {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
    {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
    {"AM", "PM"},
    {"BC", "AD"},
};

}  // namespace

int DateNames::match_month(std::string_view text, size_t* pos) const {
  return match_longest(text, pos, months, months_short, 1);
}
int DateNames::match_weekday(std::string_view text, size_t* pos) const {
  return match_longest(text, pos, weekdays, weekdays_short, 1);
}
int DateNames::match_halfday(std::string_view text, size_t* pos) const {
  return match_longest(text, pos, halfdays, halfdays, 0);
}
int DateNames::match_era(std::string_view text, size_t* pos) const {
  return match_longest(text, pos, eras, eras, 0);
}

const DateNames& english_date_names() { return kEnglish; }

bool date_locale_supported(std::string_view locale) {
  if (locale.empty()) return true;
  if (locale.size() < 2) return false;
  const bool en = (locale[0] == 'e' || locale[0] == 'E') && (locale[1] == 'n' || locale[1] == 'N');
  return en && (locale.size() == 2 || locale[2] == '-' || locale[2] == '_');
}

}  // namespace logpipe
