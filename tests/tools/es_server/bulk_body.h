// Parsing a `_bulk` body into actions the way Elasticsearch 8's
// BulkRequestParser does (ES_BULK_CONTRACT.md §1): NDJSON, one action line and,
// for index/create/update, one source line; lines counted from 1 for errors.
//
// What fails the whole request (HTTP 400) comes back in `error_*`; what ES
// reports per item (a source that is not valid JSON / UTF-8, a bad index name)
// is left on the item, so the caller answers 200 with item errors.
//
// Deliberate choices where ES is silent or where the contract says more:
// * blank (or all-space) lines are skipped everywhere, also where a source is
//   expected (contract §1: never treat them as documents);
// * an action whose source line never comes (end of body) is refused with
//   action_request_validation_exception "source is missing" (ES <= 8.14 drops
//   it silently; a fake that lets a client bug pass would hide data loss);
// * an update's source is parsed with the request, as ES does, so a malformed
//   update body is a whole-request x_content_parse_exception.
//
// Not thread-safe per BulkParser (it owns a simdjson parser); use one per thread.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace logpipe::es_fake {

enum class BulkOp { kIndex, kCreate, kUpdate, kDelete };
const char* bulk_op_name(BulkOp op);

// "items whose document has field `path` (dotted) equal to `value_json`".
struct FieldMatch {
  std::string path;
  std::string value_json;  // minified JSON value, e.g. "\"bad\"" or "42"
};

struct BulkItem {
  BulkOp op = BulkOp::kIndex;
  std::string index;            // from metadata, else the path's index
  std::string id;               // empty: generate one (index/create)
  std::string pipeline;         // per action, else the request's ?pipeline=
  std::string_view source;      // the raw source line (points into the body)
  std::string source_error;     // set: item 400 document_parsing_exception with this reason
  int matched_rule = -1;        // first FieldMatch the document satisfies
  // update only
  std::string update_doc;       // minified "doc", empty if absent
  std::string upsert_doc;       // minified "upsert", empty if absent
  bool doc_as_upsert = false;
  bool has_script = false;
};

struct BulkBody {
  std::vector<BulkItem> items;
  std::string error_type;  // non-empty: the whole request fails with 400
  std::string error_reason;
};

struct BulkDefaults {
  std::string_view index;     // /<index>/_bulk
  std::string_view pipeline;  // ?pipeline=
  bool allow_type = false;    // compatible-with=7 accepts (and ignores) _type
};

class BulkParser {
 public:
  BulkBody parse(std::string_view body, const BulkDefaults& defaults, const std::vector<FieldMatch>& matches);

 private:
  bool parse_action(std::string_view line, size_t line_no, const BulkDefaults& defaults, BulkItem& item,
                    BulkBody& out);
  void check_source(std::string_view line, BulkItem& item, const std::vector<FieldMatch>& matches);
  bool parse_update(std::string_view line, BulkItem& item, const std::vector<FieldMatch>& matches, BulkBody& out);

  simdjson::error_code parse_line(std::string_view line, simdjson::dom::element& doc);

  simdjson::dom::parser parser_;
  std::string_view body_;
  std::string tail_;  // padded copy of a line near the end of the body
};

// Minified JSON of a DOM value (for rule values and update documents).
std::string minified(simdjson::dom::element value);

}  // namespace logpipe::es_fake
