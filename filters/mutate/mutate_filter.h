// mutate filter: Logstash's general field surgery — coerce, rename, update,
// replace, convert, gsub, uppercase, capitalize, lowercase, strip, split, join,
// merge, copy — applied in that fixed order whatever the order in the config.
//
// Contract, as Logstash's mutate:
// - Field names are field references, parsed once when the filter is built
//   (an invalid one is an OptionError). rename's names may hold %{...} and are
//   formatted per event; coerce/update/replace values are sprintf templates.
// - A missing field is never an error: the operation is skipped for it.
// - When an operation fails on an event (a value convert cannot parse as a
//   float, strip of an array holding a non-string, a dynamic gsub pattern that
//   does not compile, a name that formats to an invalid reference ...), the
//   remaining operations are skipped, the event gets `tag_on_failure`, and the
//   common add_field/add_tag/remove_field/remove_tag are not applied. On
//   success they are applied once, at the end.
// - convert follows Logstash 8.14+ (JRuby 9.4): strings are stripped and lose
//   their commas (integer_eu/float_eu swap '.' and ','); integer takes the
//   leading digits like Ruby's to_i ("12abc" -> 12, "abc" -> 0, "1.9" -> 1),
//   with an exponent it truncates exactly ("1.5e3" -> 1500); float must parse
//   whole ("abc" and "" fail). A value beyond 64 bits fails (Ruby would make
//   a bignum; engine/text/ruby_number.h says why not to clamp). boolean leaves unknown words unchanged, which is no failure.
// - gsub patterns are Ruby regexes, translated by engine/text/ruby_regex.h as for
//   grok, conditions and kv (line anchors, (?<name>), (?m) dot-all, \h,
//   nested and Unicode POSIX classes). What RE2 cannot run (lookaround,
//   backreferences, atomic groups) is an OptionError at build time. Replacements take \0..\9, \&,
//   \k<name>, \`, \' and \\ as Ruby's String#gsub does.
// - uppercase/lowercase/capitalize map ASCII and the common alphabets
//   (Latin-1, Latin Extended-A and Additional, Greek, Cyrillic, Armenian,
//   fullwidth Latin); other characters, and invalid UTF-8 bytes, are kept.
//
// The Ruby semantics live beside this file: convert.h, ruby_gsub.h,
// ruby_case.h, ruby_string.h.
//
// One instance per filter worker: not thread-safe, and needs no locking
// (each worker owns its compiled RE2 objects and scratch buffers).
#pragma once

#include "engine/plugin.h"

namespace logpipe {

PluginInfo mutate_filter_info();

}  // namespace logpipe
