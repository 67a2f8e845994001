#include "inputs/beats/beats_input.h"

#include <algorithm>
#include <chrono>

#include "engine/codecs/iso8601.h"
#include "engine/config/typed_options.h"
#include "engine/event/ecs.h"
#include "engine/system/log.h"
#include "engine/text/json_writer.h"
#include "inputs/beats/tls_server_context.h"

namespace logpipe {

namespace {

// How often a connection whose frames wait for their ack hears from us: every
// 5 s, sooner with a short client_inactivity_timeout.
int64_t keep_alive_ms(int64_t idle_ms) { return std::clamp<int64_t>(idle_ms / 2, 200, 5000); }

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

const char* const kEnrichments[] = {"codec_metadata", "source_metadata", "ssl_peer_metadata", "all",
                                    "none"};

// Logstash 8 refuses these; so do we, naming what replaced them.
const std::pair<const char*, const char*> kObsolete[] = {
    {"ssl", "ssl_enabled"},
    {"ssl_peer_metadata", "enrich"},
    {"ssl_verify_mode", "ssl_client_authentication"},
    {"cipher_suites", "ssl_cipher_suites"},
    {"tls_min_version", "ssl_supported_protocols"},
    {"tls_max_version", "ssl_supported_protocols"}};

}  // namespace

struct BeatsInput::Options {
  std::string host;
  int port = 0;
  bool ssl_enabled = false;
  std::optional<std::string> ssl_certificate, ssl_key;
  std::optional<Password> ssl_key_passphrase;
  std::vector<std::string> ssl_certificate_authorities;
  std::string ssl_client_authentication;
  std::vector<std::string> ssl_supported_protocols, ssl_cipher_suites;
  Duration client_inactivity_timeout;
  int64_t ssl_handshake_timeout = 10000;
  std::optional<bool> include_codec_tag;
  bool add_hostname = false;
  std::vector<std::string> enrich;
  std::string ecs_compatibility;
  Bytes max_frame_size, max_decompressed_size;
  int64_t max_connections = 0;
};

namespace {

using O = BeatsInput::Options;

const OptionSchema<O>& beats_schema() {
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    s.string("host", &O::host,
             "Address to listen on (Logstash: 0.0.0.0; logpipe binds to loopback unless told).")
        .fallback("127.0.0.1");
    s.integer("port", &O::port, "Port to listen on (Beats send to 5044).")
        .required()
        .range(0, 65535);
    s.boolean("ssl_enabled", &O::ssl_enabled, "Speak TLS (needs ssl_certificate and ssl_key).")
        .fallback(false);
    s.path("ssl_certificate", &O::ssl_certificate, "PEM file of the server certificate (chain).");
    s.path("ssl_key", &O::ssl_key, "PEM file of the certificate's private key.");
    s.password("ssl_key_passphrase", &O::ssl_key_passphrase, "Passphrase of an encrypted ssl_key.");
    s.strings("ssl_certificate_authorities", &O::ssl_certificate_authorities,
              "PEM files of the authorities client certificates must chain to.");
    s.string("ssl_client_authentication", &O::ssl_client_authentication,
             "Client certificates: none, optional (checked when given) or required.")
        .fallback("none")
        .one_of({"none", "optional", "required"});
    s.strings("ssl_supported_protocols", &O::ssl_supported_protocols,
              "TLS versions allowed: TLSv1.1, TLSv1.2, TLSv1.3.")
        .fallback(Value(Array{Value("TLSv1.2"), Value("TLSv1.3")}));
    s.strings("ssl_cipher_suites", &O::ssl_cipher_suites,
              "Cipher suites allowed (OpenSSL names); default OpenSSL's.");
    s.integer("ssl_handshake_timeout", &O::ssl_handshake_timeout,
              "Milliseconds a TLS handshake may take before the connection is closed.")
        .fallback(10000)
        .at_least(1);
    for (const auto& [name, instead] : kObsolete)
      s.accepted(name, OptionType::Any, std::string("Obsolete: refused; use `") + instead + "`.");
    s.duration(
         "client_inactivity_timeout", &O::client_inactivity_timeout, 1,
         "Close a connection that sent nothing for this long (and waits for no ack); seconds.")
        .fallback(60);
    s.boolean("include_codec_tag", &O::include_codec_tag,
              "Deprecated (use enrich): tag events beats_input_codec_<codec>_applied or "
              "beats_input_raw_event; "
              "default: whether enrich has codec_metadata.");
    s.boolean("add_hostname", &O::add_hostname,
              "Deprecated: copy [beat][hostname] to host (ECS: "
              "[@metadata][input][beats][host][name]) when unset.")
        .fallback(false);
    s.strings("enrich", &O::enrich,
              "What to add: codec_metadata (the codec tags), source_metadata (the peer address), "
              "ssl_peer_metadata (the client certificate), or one of all, none; default "
              "codec_metadata and "
              "source_metadata.");
    declare_ecs_compatibility(s, &O::ecs_compatibility,
                              "[@metadata][ip_address], [@metadata][tls_peer], host");
    s.accepted("executor_threads", OptionType::Number,
               "Accepted; one event loop serves every connection.")
        .no_effect();
    s.accepted("event_loop_threads", OptionType::Number,
               "Accepted; one event loop serves every connection.")
        .no_effect();
    s.bytes("max_frame_size", &O::max_frame_size,
            "logpipe: the largest frame accepted; a bigger one closes the connection.")
        .fallback("16MiB");
    s.bytes("max_decompressed_size", &O::max_decompressed_size,
            "logpipe: the most one compressed frame may inflate to; more closes the connection.")
        .fallback("64MiB");
    s.integer("max_connections", &O::max_connections, "logpipe: TCP connections open at once; more are accepted and closed at once.")
        .fallback(1000)
        .range(1, 1000000);
    return s;
  }();
  return schema;
}

O checked_options(const PluginArgs& args) {
  for (const auto& [name, instead] : kObsolete)
    if (args.settings.has(name))
      throw OptionError(name,
                        std::string("`") + name + "` is obsolete: use `" + instead + "` instead");
  O o = beats_schema().bind(args.settings);
  if (args.settings.has("enrich") && o.include_codec_tag)
    throw OptionError(
        "include_codec_tag",
        "both `enrich` and (deprecated) `include_codec_tag` were given; use only `enrich`");
  if (!args.settings.has("enrich")) o.enrich = {"codec_metadata", "source_metadata"};
  for (const std::string& e : o.enrich) {
    if ((e == "all" || e == "none") && o.enrich.size() > 1)
      throw OptionError("enrich", "`" + e + "` must be the only value of enrich");
    bool known = false;
    for (const char* k : kEnrichments) known = known || e == k;
    if (!known)
      throw OptionError("enrich",
                        "unknown enrichment `" + e +
                            "` (codec_metadata, source_metadata, ssl_peer_metadata, all, none)");
  }
  bool client_auth = o.ssl_client_authentication != "none";
  if (client_auth && o.ssl_certificate_authorities.empty())
    throw OptionError(
        "ssl_certificate_authorities",
        "ssl_certificate_authorities is required with ssl_client_authentication => \"" +
            o.ssl_client_authentication + "\"");
  if (!client_auth && args.settings.has("ssl_certificate_authorities") &&
      !o.ssl_certificate_authorities.empty())
    throw OptionError("ssl_certificate_authorities",
                      "ssl_certificate_authorities needs ssl_client_authentication => \"optional\" "
                      "or \"required\"");
  if (std::find(o.enrich.begin(), o.enrich.end(), "ssl_peer_metadata") != o.enrich.end() &&
      !client_auth)
    throw OptionError("enrich",
                      "enrich => [ssl_peer_metadata] needs ssl_client_authentication => "
                      "\"optional\" or \"required\"");
  return o;
}

bool enriched(const O& o, std::string_view what) {
  for (const std::string& e : o.enrich) {
    if (e == "none") return false;
    if (e == "all" || e == what) return true;
  }
  return false;
}

}  // namespace

struct BeatsInput::Connection {
  Connection(uint64_t id, Peer peer, LumberjackLimits limits)
      : id(id), peer(std::move(peer)), decoder(limits) {}
  uint64_t id;
  Peer peer;
  LumberjackDecoder decoder;
  std::unique_ptr<Codec> codec;
  uint64_t window = 0;
  char version = '2';     // of the last frame: acks speak it
  uint64_t received = 0;  // data frames read
  // Per window, the last frame whose events are all in the batch being built:
  // each window needs its own ack.
  std::vector<FrameMark> unsealed;
  uint64_t acked_ordinal = 0;  // frames acked
  FrameMark acked;
  int64_t last_read_ms = 0, last_write_ms = 0;
  std::optional<TlsPeerInfo> tls;  // read once, with the first data
  bool handshaken = false;         // TLS: the handshake ended (or no TLS)
  int64_t opened_ms = 0;
};

// Hands a connection's frames to the input, which pushes their events.
class BeatsInput::FrameSink final : public LumberjackHandler {
 public:
  FrameSink(BeatsInput& in, Connection& c) : in_(in), c_(c) {}
  void on_window(char, uint32_t) override { ++c_.window; }
  void on_json(char version, uint32_t seq, std::string_view json) override {
    events_.clear();
    in_.json_.decode(json, [&](Event&& e) { events_.push_back(std::move(e)); });
    in_.deliver(c_, mark(version, seq), events_);
  }
  void on_pairs(char version, uint32_t seq,
                const std::vector<std::pair<std::string_view, std::string_view>>& pairs) override {
    events_.clear();
    Event e;
    for (const auto& [k, v] : pairs) e.set_top(k, Value(std::string(v)));
    Timestamp ts;
    const Value* t = e.get_top("@timestamp");
    if (!(t && t->is_string() && parse_iso8601(t->as_string(), &ts))) ts = Timestamp::now();
    e.set_timestamp(ts);
    events_.push_back(std::move(e));
    in_.deliver(c_, mark(version, seq), events_);
  }

 private:
  FrameMark mark(char version, uint32_t seq) {
    FrameMark m;
    m.window = c_.window;
    m.ordinal = ++c_.received;
    m.seq = seq;
    m.version = version;
    c_.version = version;
    return m;
  }
  BeatsInput& in_;
  Connection& c_;
  std::vector<Event> events_;
};

StreamServerSettings BeatsInput::server_settings(const PluginArgs& args) {
  StreamServerSettings st;
  st.name = "beats " + args.id;
  st.host = o_->host;
  st.port = o_->port;
  st.tcp = true;
  st.udp = false;
  st.framing = TcpFraming::Raw;
  st.max_connections = static_cast<size_t>(o_->max_connections);
  bool tls = o_->ssl_enabled;
  if (!tls) return st;
  TlsServerOptions t;
  if (!o_->ssl_certificate) throw OptionError("ssl_certificate", "TLS needs ssl_certificate");
  if (!o_->ssl_key) throw OptionError("ssl_key", "TLS needs ssl_key");
  t.certificate = *o_->ssl_certificate;
  t.key = *o_->ssl_key;
  if (o_->ssl_key_passphrase) t.key_passphrase = o_->ssl_key_passphrase->reveal();
  t.certificate_authorities = o_->ssl_certificate_authorities;
  const std::string& mode = o_->ssl_client_authentication;
  t.client_authentication = mode == "required"   ? ClientAuthentication::Required
                            : mode == "optional" ? ClientAuthentication::Optional
                                                 : ClientAuthentication::None;
  t.supported_protocols = o_->ssl_supported_protocols;
  t.cipher_suites = o_->ssl_cipher_suites;
  st.tls = make_tls_server_context(t);
  return st;
}

BeatsInput::BeatsInput(const PluginArgs& args)
    : Input(args),
      o_(std::make_unique<Options>(checked_options(args))),
      json_(JsonDecoderOptions{"UTF-8", o_->ecs_compatibility, std::nullopt}, false),
      make_codec_(args.make_codec),
      server_(server_settings(args), *this) {
  const CodecSpec* codec = args.settings.codec();
  std::string codec_name = codec ? codec->name : "plain";
  plain_codec_ = codec_name == "plain" || !make_codec_;
  if (o_->include_codec_tag.value_or(enriched(*o_, "codec_metadata")))
    codec_tag_ = "beats_input_codec_" + codec_name + "_applied";
  const EcsMode ecs = ecs_mode(o_->ecs_compatibility);
  hostname_field_ = ecs_field(ecs, "host", "[@metadata][input][beats][host][name]");
  // Timers are checked at least twice per shortest period.
  sweep_ms_ =
      std::min<int64_t>(1000, keep_alive_ms(o_->client_inactivity_timeout.milliseconds()) / 2);
  if (o_->ssl_enabled)
    sweep_ms_ = std::max<int64_t>(10, std::min(sweep_ms_, o_->ssl_handshake_timeout / 2));
  peer_metadata_ = enriched(*o_, "ssl_peer_metadata") && o_->ssl_enabled;
  tls_protocol_field_ = ecs_field(ecs, "[@metadata][tls_peer][protocol]",
                                  "[@metadata][input][beats][tls][version_protocol]");
  tls_subject_field_ = ecs_field(ecs, "[@metadata][tls_peer][subject]",
                                 "[@metadata][input][beats][tls][client][subject]");
  tls_cipher_field_ = ecs_field(ecs, "[@metadata][tls_peer][cipher_suite]",
                                "[@metadata][input][beats][tls][cipher]");
  if (enriched(*o_, "source_metadata"))
    ip_field_ = ecs_field(ecs, "[@metadata][ip_address]", "[@metadata][input][beats][host][ip]");
}

BeatsInput::~BeatsInput() = default;

void BeatsInput::stop() { server_.stop(); }

void BeatsInput::run(InputContext& ctx) {
  ctx_ = &ctx;
  server_.open();
  bound_port_ = server_.tcp_port();
  log_info("beats {}: listening on port {}{}", id(), bound_port_.load(),
           o_->ssl_enabled ? " (TLS)" : "");
  server_.run(ctx.poll_interval_ms(), [&ctx] { return ctx.stopping(); });
  connections_.clear();
  ctx.flush();
  ctx_ = nullptr;
}

void BeatsInput::decorate(Event& e, const Connection& c, bool raw) const {
  if (ip_field_) e.set(*ip_field_, Value(c.peer.host));
  if (peer_metadata_ && c.tls) {
    static const FieldRef status = *FieldRef::parse("[@metadata][tls_peer][status]");
    e.set(status, Value(c.tls->verified ? "verified" : "unverified"));
    if (c.tls->verified) {
      e.set(*tls_protocol_field_, Value(c.tls->protocol));
      e.set(*tls_subject_field_, Value(c.tls->subject));
      e.set(*tls_cipher_field_, Value(c.tls->cipher));
    }
  }
  if (o_->add_hostname && !e.get(*hostname_field_)) {
    static const FieldRef beat_hostname = *FieldRef::parse("[beat][hostname]");
    if (const Value* h = e.get(beat_hostname)) e.set(*hostname_field_, Value(*h));
  }
  if (!codec_tag_.empty())
    e.add_tag(raw ? std::string_view("beats_input_raw_event") : std::string_view(codec_tag_));
}

void BeatsInput::deliver(Connection& c, const FrameMark& mark, std::vector<Event>& events) {
  frames_.fetch_add(1, std::memory_order_relaxed);
  // A document's message goes through the codec; the codec's events get the
  // document's other fields (Logstash's order: the document wins).
  std::vector<Event> decoded;
  for (Event& doc : events) {
    const char* line_field = doc.get_top("message") ? "message"
                             : doc.get_top("line")  ? "line"
                                                    : nullptr;
    const Value* text = line_field ? doc.get_top(line_field) : nullptr;
    if (!text || text->is_null()) {
      decorate(doc, c, true);
      decoded.push_back(std::move(doc));
      continue;
    }
    if (text->is_int() || text->is_float() || text->is_bool()) {
      // The codec is given the text of a scalar (Logstash: to_s).
      std::string as_text;
      append_json(*text, as_text);
      doc.set_top(line_field, Value(std::move(as_text)));
      text = doc.get_top(line_field);
    }
    if (plain_codec_ || !text->is_string()) {
      // The plain codec makes `message` of the forwarder's `line` too.
      if (std::string_view(line_field) == "line") doc.fields().rename("line", "message");
      decorate(doc, c, false);
      decoded.push_back(std::move(doc));
      continue;
    }
    if (!c.codec) c.codec = make_codec_();
    std::string message = text->as_string();
    doc.fields().erase(line_field);
    const EventSink sink = [&](Event&& e) {
      for (const auto& [k, v] : doc.fields()) e.set_top(k, v);
      for (const auto& [k, v] : doc.metadata()) e.metadata().set(k, v);
      decorate(e, c, false);
      decoded.push_back(std::move(e));
    };
    c.codec->decode(message, sink);
    c.codec->flush(sink);
  }
  // The frame counts as pushed only with its last event, so a batch sealed
  // in between does not ack it early.
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (i + 1 == decoded.size()) {
      mark_pushed(c, mark);
    }
    events_.fetch_add(1, std::memory_order_relaxed);
    ctx_->push(std::move(decoded[i]));
  }
  if (decoded.empty()) {
    // Nothing to deliver (a codec that gave no event): acked as soon as what
    // came before it is.
    mark_pushed(c, mark);
  }
}

void BeatsInput::mark_pushed(Connection& c, const FrameMark& mark) {
  if (c.unsealed.empty()) unsealed_.push_back(c.id);
  if (!c.unsealed.empty() && c.unsealed.back().window == mark.window)
    c.unsealed.back() = mark;
  else
    c.unsealed.push_back(mark);
}

void BeatsInput::on_open(uint64_t conn, const Peer& peer) {
  LumberjackLimits limits;
  limits.max_payload = o_->max_frame_size.count;
  limits.max_decompressed = o_->max_decompressed_size.count;
  auto c = std::make_unique<Connection>(conn, peer, limits);
  c->opened_ms = c->last_read_ms = now_ms();
  c->handshaken = !o_->ssl_enabled;
  connections_[conn] = std::move(c);
}

void BeatsInput::on_data(uint64_t conn, std::string_view data, const Peer& peer) {
  auto it = connections_.find(conn);
  if (it == connections_.end()) {
    on_open(conn, peer);
    it = connections_.find(conn);
  }
  Connection& c = *it->second;
  if (!c.handshaken) {
    c.handshaken = true;  // decrypted bytes: the handshake is done
    if (peer_metadata_) c.tls = server_.tls_peer(conn);
  }
  if (!c.decoder.error().empty()) return;  // closing: said once
  c.last_read_ms = now_ms();
  FrameSink sink(*this, c);
  if (!c.decoder.feed(data, sink)) {
    protocol_errors_.fetch_add(1, std::memory_order_relaxed);
    log_warn("beats {}: closing the connection from {}:{}: {}", id(), peer.host, peer.port,
             c.decoder.error());
    server_.close_soon(conn);
  }
  if (ctx_->congested()) server_.pause_reading(true);
}

void BeatsInput::on_close(uint64_t conn, const Peer&) { connections_.erase(conn); }

void BeatsInput::on_wake() {
  ctx_->tick();
  server_.pause_reading(ctx_->congested());
  send_acks();
  int64_t now = now_ms();
  if (now - last_sweep_ms_ >= sweep_ms_) {
    last_sweep_ms_ = now;
    keep_alive_and_expire(now);
  }
}

void BeatsInput::sealed(uint64_t batch_seq) {
  if (unsealed_.empty()) return;
  std::lock_guard<std::mutex> lock(acks_mu_);
  for (uint64_t id : unsealed_) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    for (const FrameMark& m : it->second->unsealed) sealed_.push_back({batch_seq, Ack{id, m}});
    it->second->unsealed.clear();
  }
  unsealed_.clear();
}

void BeatsInput::committed(uint64_t batch_seq) {
  {
    std::lock_guard<std::mutex> lock(acks_mu_);
    if (sealed_.empty() || sealed_.front().first > batch_seq) return;
    while (!sealed_.empty() && sealed_.front().first <= batch_seq) {
      ready_.push_back(sealed_.front().second);
      sealed_.pop_front();
    }
  }
  server_.wake();
}

void BeatsInput::send_acks() {
  std::vector<Ack> ready;
  {
    std::lock_guard<std::mutex> lock(acks_mu_);
    if (ready_.empty()) return;
    ready.swap(ready_);
  }
  int64_t now = now_ms();
  for (size_t i = 0; i < ready.size(); ++i) {
    const Ack& a = ready[i];
    // A later ack in the same window covers this one.
    bool covered = false;
    for (size_t j = i + 1; j < ready.size() && !covered; ++j)
      covered = ready[j].conn == a.conn && ready[j].mark.window == a.mark.window;
    if (covered) continue;
    auto it = connections_.find(a.conn);
    if (it == connections_.end()) continue;  // closed: the client sends again
    Connection& c = *it->second;
    if (server_.send(a.conn, lumberjack_ack(a.mark.version, a.mark.seq))) {
      acks_sent_.fetch_add(1, std::memory_order_relaxed);
      c.acked = a.mark;
      c.acked_ordinal = a.mark.ordinal;
      c.last_write_ms = now;
    }
  }
}

void BeatsInput::keep_alive_and_expire(int64_t now) {
  const int64_t idle_ms = o_->client_inactivity_timeout.milliseconds();
  for (auto& [conn_id, conn] : connections_) {
    Connection& c = *conn;
    if (!c.handshaken && now - c.opened_ms >= o_->ssl_handshake_timeout) {
      if (server_.tls_peer(conn_id)) {
        c.handshaken = true;  // done, the client just has not sent yet
        if (peer_metadata_) c.tls = server_.tls_peer(conn_id);
      } else {
        log_warn("beats {}: closing the connection from {}:{}: no TLS handshake within {} ms", id(),
                 c.peer.host, c.peer.port, o_->ssl_handshake_timeout);
        server_.close_soon(conn_id);
        continue;
      }
    }
    if (c.received > c.acked_ordinal) {
      if (now - std::max(c.last_write_ms, c.last_read_ms) >= keep_alive_ms(idle_ms)) {
        uint32_t seq = c.acked.window == c.window ? c.acked.seq : 0;
        server_.send(conn_id, lumberjack_ack(c.version, seq));
        c.last_write_ms = now;
      }
    } else if (idle_ms > 0 && now - c.last_read_ms >= idle_ms) {
      log_info("beats {}: closing the connection from {}:{}, idle for {} s", id(), c.peer.host,
               c.peer.port, idle_ms / 1000);
      server_.close_soon(conn_id);
    }
  }
}

void BeatsInput::collect_metrics(PluginMetrics& out) const {
  using K = PluginMetric::Kind;
  auto get = [](const std::atomic<uint64_t>& a) {
    return double(a.load(std::memory_order_relaxed));
  };
  server_.collect_metrics(out);
  out.push_back({"frames_total", "Lumberjack data frames received.", K::Counter, {}, get(frames_)});
  out.push_back({"acks_total",
                 "Ack frames sent after the outputs accepted the events.",
                 K::Counter,
                 {},
                 get(acks_sent_)});
  out.push_back({"protocol_errors_total",
                 "Connections closed for a malformed or oversized frame.",
                 K::Counter,
                 {},
                 get(protocol_errors_)});
}

PluginInfo beats_input_info() {
  PluginInfo info;
  info.name = "beats";
  info.kind = PluginKind::Input;
  info.description =
      "Receives events from Elastic Beats over Lumberjack v2 (optionally TLS); acks once the "
      "outputs accepted them.";
  info.default_codec = "plain";
  info.options = beats_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<BeatsInput>(args);
  };
  return info;
}

}  // namespace logpipe
