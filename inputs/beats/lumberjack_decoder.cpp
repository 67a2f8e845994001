#include "inputs/beats/lumberjack_decoder.h"

#include <zlib.h>

#include <stdexcept>

namespace logpipe {

namespace {

// A compressed frame inside a compressed frame is legal; deeper nesting is
// only a way to make the server work for nothing.
constexpr int kMaxDepth = 2;

uint32_t read_u32(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

void put_u32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

std::string printable(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned char>(c));
  return buf;
}

}  // namespace

LumberjackDecoder::Step LumberjackDecoder::fail(std::string why) {
  error_ = std::move(why);
  return Step::Error;
}

bool LumberjackDecoder::feed(std::string_view data, LumberjackHandler& handler) {
  if (!error_.empty()) return false;
  // Whole frames are decoded straight from `data` while nothing is buffered:
  // the common case of a read holding complete frames copies nothing.
  std::string_view in = data;
  bool buffered = start_ < buffer_.size();
  if (buffered) {
    buffer_.append(data);
    in = std::string_view(buffer_).substr(start_);
  }
  size_t off = 0;
  for (;;) {
    size_t used = 0;
    Step s = next_frame(in.substr(off), used, handler, 0);
    if (s == Step::Error) return false;
    if (s == Step::NeedMore) break;
    off += used;
  }
  if (buffered) {
    start_ += off;
    if (start_ == buffer_.size()) {
      buffer_.clear();
      start_ = 0;
    } else if (start_ > (size_t{1} << 20) && start_ > buffer_.size() / 2) {
      buffer_.erase(0, start_);
      start_ = 0;
    }
  } else if (off < in.size()) {
    buffer_.assign(in.substr(off));
    start_ = 0;
  }
  return true;
}

LumberjackDecoder::Step LumberjackDecoder::next_frame(std::string_view in, size_t& used,
                                                      LumberjackHandler& handler, int depth) {
  if (in.size() < 2) return Step::NeedMore;
  const char version = in[0], type = in[1];
  if (version != '1' && version != '2')
    return fail("unknown protocol version " + printable(version) + " (expected '1' or '2')");
  auto need = [&](size_t n) { return in.size() < n; };
  auto too_big = [&](uint64_t n, const char* what) {
    return fail(std::string(what) + " of " + std::to_string(n) + " bytes is over the limit of " +
                std::to_string(limits_.max_payload));
  };
  switch (type) {
    case 'W': {
      if (need(6)) return Step::NeedMore;
      handler.on_window(version, read_u32(in, 2));
      used = 6;
      return Step::Frame;
    }
    case 'J': {
      if (need(10)) return Step::NeedMore;
      uint32_t seq = read_u32(in, 2), len = read_u32(in, 6);
      if (len > limits_.max_payload) return too_big(len, "a JSON frame");
      if (need(10 + size_t{len})) return Step::NeedMore;
      handler.on_json(version, seq, in.substr(10, len));
      used = 10 + size_t{len};
      return Step::Frame;
    }
    case 'D': {
      if (need(10)) return Step::NeedMore;
      uint32_t seq = read_u32(in, 2), count = read_u32(in, 6);
      // Each pair takes at least 8 bytes: a count past that cannot be honest.
      if (uint64_t{count} * 8 > limits_.max_payload)
        return too_big(uint64_t{count} * 8, "a data frame");
      size_t at = 10;
      pairs_.clear();
      for (uint32_t i = 0; i < count; ++i) {
        std::string_view kv[2];
        for (auto& part : kv) {
          if (need(at + 4)) return Step::NeedMore;
          uint32_t len = read_u32(in, at);
          if (at - 10 + len > limits_.max_payload)
            return too_big(at - 10 + uint64_t{len}, "a data frame");
          if (need(at + 4 + len)) return Step::NeedMore;
          part = in.substr(at + 4, len);
          at += 4 + size_t{len};
        }
        pairs_.emplace_back(kv[0], kv[1]);
      }
      handler.on_pairs(version, seq, pairs_);
      used = at;
      return Step::Frame;
    }
    case 'C': {
      if (need(6)) return Step::NeedMore;
      uint32_t len = read_u32(in, 2);
      if (len > limits_.max_payload) return too_big(len, "a compressed frame");
      if (need(6 + size_t{len})) return Step::NeedMore;
      if (depth >= kMaxDepth) return fail("compressed frames nested too deep");
      if (!inflate_frames(in.substr(6, len), handler, depth + 1)) return Step::Error;
      used = 6 + size_t{len};
      return Step::Frame;
    }
    default:
      return fail("unknown frame type " + printable(type));
  }
}

bool LumberjackDecoder::inflate_frames(std::string_view compressed, LumberjackHandler& handler,
                                       int depth) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) {
    error_ = "zlib: cannot start inflating";
    return false;
  }
  std::string out;
  out.resize(std::min<size_t>(limits_.max_decompressed + 1,
                              std::max<size_t>(compressed.size() * 4, 4096)));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  int rc = Z_OK;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(out.data() + z.total_out);
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
    if (z.total_out > limits_.max_decompressed) break;
    if (z.avail_out == 0) {
      out.resize(std::min<size_t>(limits_.max_decompressed + 1, out.size() * 2));
    } else if (z.avail_in == 0) {
      break;  // the input ended before the stream did
    }
  }
  size_t produced = z.total_out;
  const char* msg = z.msg;
  inflateEnd(&z);
  if (produced > limits_.max_decompressed) {
    error_ = "a compressed frame inflates past the limit of " +
             std::to_string(limits_.max_decompressed) + " bytes";
    return false;
  }
  if (rc != Z_STREAM_END) {
    error_ = std::string("a compressed frame holds a corrupt or truncated zlib stream") +
             (msg ? std::string(": ") + msg : std::string());
    return false;
  }
  std::string_view inner(out.data(), produced);
  size_t off = 0;
  while (off < inner.size()) {
    size_t used = 0;
    Step s = next_frame(inner.substr(off), used, handler, depth);
    if (s == Step::Error) return false;
    if (s == Step::NeedMore) {
      error_ = "a compressed frame ends inside a frame";
      return false;
    }
    off += used;
  }
  return true;
}

std::string lumberjack_ack(char version, uint32_t seq) {
  std::string out{version, 'A'};
  put_u32(out, seq);
  return out;
}

std::string lumberjack_window(uint32_t size, char version) {
  std::string out{version, 'W'};
  put_u32(out, size);
  return out;
}

std::string lumberjack_json(uint32_t seq, std::string_view json) {
  std::string out{'2', 'J'};
  put_u32(out, seq);
  put_u32(out, static_cast<uint32_t>(json.size()));
  out.append(json);
  return out;
}

std::string lumberjack_pairs(uint32_t seq,
                             const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out{'1', 'D'};
  put_u32(out, seq);
  put_u32(out, static_cast<uint32_t>(pairs.size()));
  for (const auto& [k, v] : pairs) {
    put_u32(out, static_cast<uint32_t>(k.size()));
    out.append(k);
    put_u32(out, static_cast<uint32_t>(v.size()));
    out.append(v);
  }
  return out;
}

std::string lumberjack_compressed(std::string_view frames, int level, char version) {
  uLongf size = compressBound(static_cast<uLong>(frames.size()));
  std::string z(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &size,
                reinterpret_cast<const Bytef*>(frames.data()), static_cast<uLong>(frames.size()),
                level) != Z_OK)
    throw std::runtime_error("zlib: compress2 failed");
  z.resize(size);
  std::string out{version, 'C'};
  put_u32(out, static_cast<uint32_t>(z.size()));
  out.append(z);
  return out;
}

}  // namespace logpipe
