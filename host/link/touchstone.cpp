#include "host/link/touchstone.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

#include "host/link/passivity.hpp"
#include "physics/config.hpp"

namespace ll {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Without leading and trailing white space (what isspace accepts in the C locale).
std::string_view trim(std::string_view s) {
  constexpr const char* kSpace = " \t\r\n\v\f";
  const auto b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

[[noreturn]] void fail(const std::string& name, int line, const std::string& what) {
  throw TouchstoneError(name + ":" + std::to_string(line) + ": " + what);
}

enum class Format { ri, ma, db };
// The largest |S| entry read as measurement noise about a passive network (+6 dB).
constexpr double kMaxEntryMagnitude = 2.0;
constexpr double kLog2Of10 = 3.32192809488736234787;  // 10^x = 2^(x log2 10)
enum class MatrixFormat { full, lower, upper };

inline bool is_delimiter(char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r'; }

// One number [+-]digits[.digits][(e|E)[+-]digits] from p up to the next blank, comma or `last`,
// in one pass: the first 19 significant digits as an integer, scaled by an exact power of ten
// (within 1 ulp for the 15 significant digits S-parameters carry); more digits or an exponent
// past 1e+-300 go through std::from_chars. Returns where it stopped, or nullptr with *bad_end at
// the end of the offending token.
const char* scan_number(const char* p, const char* last, double* out, const char** bad_end) {
  static const double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char* const first = p;
  auto bad = [&](const char* at) -> const char* {
    while (at < last && !is_delimiter(*at)) ++at;
    *bad_end = at;
    return nullptr;
  };
  bool negative = false;
  if (p < last && (*p == '+' || *p == '-')) negative = *p++ == '-';
  std::uint64_t mantissa = 0;
  int digits = 0, scale = 0;
  bool any = false;
  for (; p < last && static_cast<unsigned>(*p - '0') < 10u; ++p) {
    any = true;
    if (digits < 19) {
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
      digits += mantissa != 0;
    } else {
      ++scale;
    }
  }
  if (p < last && *p == '.') {
    for (++p; p < last && static_cast<unsigned>(*p - '0') < 10u; ++p) {
      any = true;
      if (digits < 19) {
        mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
        digits += mantissa != 0;
        --scale;
      }
    }
  }
  if (!any) return bad(p);
  if (p < last && (*p == 'e' || *p == 'E')) {
    ++p;
    bool exp_negative = false;
    if (p < last && (*p == '+' || *p == '-')) exp_negative = *p++ == '-';
    if (p == last || static_cast<unsigned>(*p - '0') >= 10u) return bad(p);
    int e = 0;
    for (; p < last && static_cast<unsigned>(*p - '0') < 10u; ++p)
      e = std::min(e * 10 + (*p - '0'), 100000);
    scale += exp_negative ? -e : e;
  }
  if (p < last && !is_delimiter(*p)) return bad(p);
  double v = static_cast<double>(mantissa);
  if (mantissa != 0 && (scale < -300 || scale > 300 || digits > 15)) {
    // Rare: more than 15 significant digits or an extreme exponent; exact conversion.
    const char* f = *first == '+' ? first + 1 : first;
    const auto [ptr, ec] = std::from_chars(f, p, v);
    if (ec != std::errc() || ptr != p || !std::isfinite(v)) return bad(p);
    *out = v;
    return p;
  }
  while (scale > 22) v *= 1e22, scale -= 22;
  while (scale < -22) v /= 1e22, scale += 22;
  v = scale >= 0 ? v * kPow10[scale] : v / kPow10[-scale];
  if (!std::isfinite(v)) return bad(p);
  *out = negative ? -v : v;
  return p;
}

}  // namespace

int touchstone_ports_from_name(const std::string& path) {
  const std::string name = lower(path);
  const auto dot = name.find_last_of('.');
  if (dot == std::string::npos || name.size() < dot + 4) return 0;
  if (name[dot + 1] != 's' || name.back() != 'p') return 0;
  const std::string digits = name.substr(dot + 2, name.size() - dot - 3);
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return 0;
  return std::atoi(digits.c_str());
}

TouchstoneData parse_touchstone(std::string_view text, const std::string& name,
                                int ports_from_name) {
  TouchstoneData d;
  d.path = name;
  double unit_hz = 1e9;
  Format format = Format::ma;
  bool option_seen = false;
  bool version2 = false;
  bool in_network_data = false;  // version 2: between [Network Data] and the next keyword
  bool skipping = false;         // an information or noise block
  bool two_port_21_12 = true;    // version 1's order; version 2 says which
  bool two_port_order_given = false;
  MatrixFormat matrix = MatrixFormat::full;
  long declared_frequencies = -1;
  int ports = ports_from_name;

  std::size_t next = 0;           // offset of the next line in `text`
  std::size_t record_offset = 0;  // where the record being read began
  std::vector<double> record;     // values of the frequency being read
  int record_line = 0;
  std::size_t per_record = 0;
  auto values_per_record = [&] {
    const std::size_t n = static_cast<std::size_t>(ports);
    const std::size_t entries = matrix == MatrixFormat::full ? n * n : n * (n + 1) / 2;
    return 1 + 2 * entries;
  };

  auto finish_record = [&] {
    const double f = record[0] * unit_hz;
    if (!(f >= 0.0))
      fail(name, record_line,
           "frequency " + format_number(record[0], 10) + " is negative; expected frequencies from 0 up");
    if (!d.frequency_hz.empty() && !(f > d.frequency_hz.back()))
      fail(name, record_line,
           "frequency " + std::to_string(record[0]) + " does not increase on the previous " +
               std::to_string(d.frequency_hz.back() / unit_hz) +
               "; expected strictly increasing frequencies");
    if (d.frequency_hz.empty()) {
      // Reserve for the whole file from the first record's share of the text: growing a
      // megabyte vector by doubling costs page faults on every copy.
      const std::size_t span = std::max<std::size_t>(next - record_offset, 1);
      const std::size_t estimate = declared_frequencies > 0
                                       ? static_cast<std::size_t>(declared_frequencies)
                                       : text.size() / span + 16;
      d.frequency_hz.reserve(estimate);
      d.s.reserve(estimate * static_cast<std::size_t>(ports) * ports);
    }
    d.frequency_hz.push_back(f);
    const int n = ports;
    const std::size_t base = d.s.size();
    d.s.resize(base + static_cast<std::size_t>(n) * n);
    auto value = [&](std::size_t idx) {
      const double a = record[1 + 2 * idx], b = record[2 + 2 * idx];
      std::complex<double> v;
      switch (format) {
        case Format::ri:
          v = std::complex<double>(a, b);
          break;
        case Format::ma:
          if (a < 0.0)
            fail(name, record_line,
                 "magnitude " + format_number(a, 10) +
                     " is negative; expected magnitudes >= 0 in MA format (a file in dB says DB "
                     "on its option line)");
          v = std::polar(a, b * kPi / 180.0);
          break;
        case Format::db:
          v = std::polar(std::exp2(std::min(a, 1000.0) * (kLog2Of10 / 20.0)), b * kPi / 180.0);
          break;
      }
      // A passive network has no entry above 1; measurement noise and de-embedding leave a few
      // percent (rescaled below). Far above, the file is not a passive channel's S-parameters
      // (a wrong format or unit on the option line, a gain block): simulating it would be noise.
      if (!(std::abs(v) <= kMaxEntryMagnitude))
        fail(name, record_line,
             "|S| = " + format_number(std::abs(v), 6) + " at " + format_number(record[0], 10) +
                 " (file units); expected a passive channel's |S| <= 1 (up to " +
                 format_number(kMaxEntryMagnitude, 3) + " from measurement noise)");
      return v;
    };
    std::size_t idx = 0;
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < n; ++c) {
        if (matrix == MatrixFormat::lower && c > r) continue;
        if (matrix == MatrixFormat::upper && c < r) continue;
        int row = r, col = c;
        if (n == 2 && two_port_21_12 && matrix == MatrixFormat::full) {
          // N11 N21 N12 N22: the second pair is row 1, column 0.
          static const int order[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
          row = order[r * 2 + c][0];
          col = order[r * 2 + c][1];
        }
        const std::complex<double> v = value(idx++);
        d.s[base + static_cast<std::size_t>(row) * n + col] = v;
        if (matrix != MatrixFormat::full) d.s[base + static_cast<std::size_t>(col) * n + row] = v;
      }
    record.clear();
  };

  int line_no = 0;
  bool ended = false;
  while (!ended && next < text.size()) {
    ++line_no;
    std::size_t eol = text.find('\n', next);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(next, eol - next);
    next = eol + 1;
    const auto bang = line.find('!');
    if (bang != std::string_view::npos) line = line.substr(0, bang);
    line = trim(line);
    if (line.empty()) continue;

    if (line[0] == '[') {
      const auto close = line.find(']');
      if (close == std::string_view::npos)
        fail(name, line_no, "keyword without its closing ']': \"" + std::string(line) + "\"");
      const std::string key = lower(std::string(line.substr(1, close - 1)));
      const std::string arg(trim(line.substr(close + 1)));
      if (!record.empty())
        fail(name, record_line,
             "missing values: the record that begins here has " + std::to_string(record.size()) +
                 " of " + std::to_string(per_record) + " numbers before [" + key + "]");
      in_network_data = false;
      if (key == "version") {
        if (arg.rfind("2", 0) != 0) fail(name, line_no, "[Version] " + arg + ": expected 2.0");
        version2 = true;
      } else if (key == "number of ports") {
        const int n = std::atoi(arg.c_str());
        if (n < 1) fail(name, line_no, "[Number of Ports] " + arg + ": expected a positive count");
        if (ports_from_name > 0 && n != ports_from_name)
          fail(name, line_no,
               "[Number of Ports] " + std::to_string(n) + " disagrees with the file name (." + "s" +
                   std::to_string(ports_from_name) + "p)");
        ports = n;
      } else if (key == "two-port data order") {
        const std::string a = lower(arg);
        if (a != "12_21" && a != "21_12")
          fail(name, line_no, "[Two-Port Data Order] " + arg + ": expected 12_21 or 21_12");
        two_port_21_12 = a == "21_12";
        two_port_order_given = true;
      } else if (key == "number of frequencies") {
        declared_frequencies = std::atol(arg.c_str());
        if (declared_frequencies < 1)
          fail(name, line_no, "[Number of Frequencies] " + arg + ": expected a positive count");
      } else if (key == "reference") {
        std::istringstream is(arg);
        double r = 0.0;
        if (is >> r) d.reference_ohm = r;
      } else if (key == "matrix format") {
        const std::string a = lower(arg);
        if (a == "full")
          matrix = MatrixFormat::full;
        else if (a == "lower")
          matrix = MatrixFormat::lower;
        else if (a == "upper")
          matrix = MatrixFormat::upper;
        else
          fail(name, line_no, "[Matrix Format] " + arg + ": expected Full, Lower or Upper");
      } else if (key == "mixed-mode order") {
        fail(name, line_no,
             "[Mixed-Mode Order]: mixed-mode files are not read; give the single-ended file");
      } else if (key == "network data") {
        if (!version2) fail(name, line_no, "[Network Data] without [Version] 2.0");
        if (ports <= 0) fail(name, line_no, "[Network Data] before [Number of Ports]");
        if (ports == 2 && !two_port_order_given)
          fail(name, line_no, "a 2-port version 2 file needs [Two-Port Data Order]");
        in_network_data = true;
        skipping = false;
      } else if (key == "end") {
        ended = true;
      } else if (key == "noise data" || key == "begin information" ||
                 key == "number of noise frequencies") {
        skipping = key != "number of noise frequencies";
      } else if (key == "end information") {
        skipping = false;
      } else {
        d.warnings.push_back(name + ":" + std::to_string(line_no) + ": [" + key +
                             "] is not used by this reader");
      }
      continue;
    }
    if (skipping) continue;

    if (line[0] == '#') {
      if (option_seen) continue;  // the specification: later option lines are ignored
      option_seen = true;
      std::istringstream is{std::string(line.substr(1))};
      std::string tok;
      while (is >> tok) {
        const std::string t = lower(tok);
        if (t == "hz")
          unit_hz = 1.0;
        else if (t == "khz")
          unit_hz = 1e3;
        else if (t == "mhz")
          unit_hz = 1e6;
        else if (t == "ghz")
          unit_hz = 1e9;
        else if (t == "s")
          ;
        else if (t == "y" || t == "z" || t == "h" || t == "g")
          fail(name, line_no,
               "option line: " + tok + "-parameters are not read; expected S-parameters");
        else if (t == "db")
          format = Format::db;
        else if (t == "ma")
          format = Format::ma;
        else if (t == "ri")
          format = Format::ri;
        else if (t == "r") {
          std::string r;
          char* end = nullptr;
          if (!(is >> r) || (d.reference_ohm = std::strtod(r.c_str(), &end), *end != '\0') ||
              !(d.reference_ohm > 0.0))
            fail(name, line_no, "option line: R must be followed by a positive resistance");
        } else {
          fail(name, line_no,
               "option line: unexpected \"" + tok +
                   "\"; expected # <Hz|kHz|MHz|GHz> S <DB|MA|RI> R <ohms>");
        }
      }
      continue;
    }

    // Data.
    if (version2 && !in_network_data)
      fail(name, line_no, "numbers outside [Network Data]: \"" + std::string(line) + "\"");
    if (ports <= 0)
      fail(name, line_no,
           "the port count is unknown: name the file .sNp (version 1) or give [Number of Ports]");
    if (!option_seen && version2)
      fail(name, line_no, "a version 2 file needs its option line before [Network Data]");
    if (per_record == 0) per_record = values_per_record();
    int token_in_line = 0;
    const char* p = line.data();
    const char* const end = p + line.size();
    while (p < end) {
      while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) ++p;
      if (p == end) break;
      double v = 0.0;
      const char* bad_end = nullptr;
      const char* tok_end = scan_number(p, end, &v, &bad_end);
      if (!tok_end) fail(name, line_no, "\"" + std::string(p, bad_end) + "\" is not a number");
      p = tok_end;
      if (record.empty()) {
        // Every record begins a line: a record starting mid-line means the one before was one
        // number short or long.
        if (token_in_line > 0)
          fail(name, line_no,
               "a record ends mid-line: a " + std::to_string(ports) + "-port record holds " +
                   std::to_string(per_record) +
                   " numbers; a value is missing from, or extra in, the record ending here");
        record_line = line_no;
        record_offset = static_cast<std::size_t>(p - text.data());
      }
      ++token_in_line;
      record.push_back(v);
      if (record.size() == per_record) finish_record();
    }
  }
  if (!record.empty())
    fail(name, record_line,
         "missing values: the file ends " + std::to_string(per_record - record.size()) +
             " numbers short of the record that begins here");
  if (!option_seen && version2) fail(name, line_no, "no option line (# GHz S MA R 50)");
  if (d.frequency_hz.empty()) fail(name, line_no, "no network data");
  if (declared_frequencies >= 0 && static_cast<long>(d.frequency_hz.size()) != declared_frequencies)
    fail(name, line_no,
         "[Number of Frequencies] says " + std::to_string(declared_frequencies) +
             ", the data has " + std::to_string(d.frequency_hz.size()));
  d.ports = ports;

  // Passivity.
  const std::size_t nn = static_cast<std::size_t>(ports) * ports;
  std::size_t scaled = 0;
  double worst_f = 0.0;
  for (std::size_t k = 0; k < d.frequency_hz.size(); ++k) {
    std::complex<double>* m = d.s.data() + k * nn;
    const double sv = largest_singular_value(m, ports, 1.0 + 1e-6);
    if (sv > d.max_singular_value) {
      d.max_singular_value = sv;
      worst_f = d.frequency_hz[k];
    }
    if (sv > kMaxEntryMagnitude)
      throw TouchstoneError(name + ": the S matrix at " + format_number(d.frequency_hz[k] / 1e9, 6) +
                            " GHz has a gain of " + format_number(sv, 6) +
                            " (largest singular value); expected a passive network's, at most 1 "
                            "(up to " + format_number(kMaxEntryMagnitude, 3) +
                            " from measurement noise)");
    if (sv > 1.0 + 1e-6) {
      for (std::size_t i = 0; i < nn; ++i) m[i] /= sv;
      ++scaled;
    }
  }
  if (scaled > 0) {
    char msg[256];
    std::snprintf(msg, sizeof msg,
                  "%s: not passive at %zu of %zu frequencies (largest singular value %.6g at "
                  "%.6g GHz); those matrices were scaled to singular value 1",
                  name.c_str(), scaled, d.frequency_hz.size(), d.max_singular_value, worst_f / 1e9);
    d.warnings.push_back(msg);
  }
  return d;
}

TouchstoneData parse_touchstone(std::istream& in, const std::string& name, int ports_from_name) {
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_touchstone(std::string_view(text), name, ports_from_name);
}

TouchstoneData read_touchstone(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw TouchstoneError(path + ": is a folder; expected a Touchstone file (.s2p, .s4p)");
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file)
    throw TouchstoneError(path + ": cannot open the Touchstone file (" + std::strerror(errno) +
                          ")");
  // One buffer per thread, kept: a sweep reads its files once each, and a second file of the
  // same size costs no fresh pages.
  thread_local std::string text;
  text.resize(static_cast<std::size_t>(file.tellg()));
  file.seekg(0);
  file.read(text.data(), static_cast<std::streamsize>(text.size()));  // one read
  return parse_touchstone(std::string_view(text), path, touchstone_ports_from_name(path));
}

namespace {

// The mixed-mode SDD_ab of a 4-port at frequency k, a and b 0 for the input pair, 1 for the
// output pair: (S[a+][b+] - S[a+][b-] - S[a-][b+] + S[a-][b-]) / 2. A 2-port gives its S_ab.
std::complex<double> differential_s(const TouchstoneData& d, std::size_t k, PortOrder order,
                                    int a, int b) {
  if (d.ports == 2) return d.at(k, a, b);
  // 0-based (p+, p-) in, (q+, q-) out.
  const int pp = 0, pm = order == PortOrder::in12_out34 ? 1 : 2;
  const int qp = order == PortOrder::in12_out34 ? 2 : 1, qm = 3;
  const int ap = a ? qp : pp, am = a ? qm : pm, bp = b ? qp : pp, bm = b ? qm : pm;
  return 0.5 * (d.at(k, ap, bp) - d.at(k, ap, bm) - d.at(k, am, bp) + d.at(k, am, bm));
}

}  // namespace

std::vector<std::complex<double>> through_response(const TouchstoneData& d, PortOrder order) {
  std::vector<std::complex<double>> h(d.frequency_hz.size());
  for (std::size_t k = 0; k < h.size(); ++k) h[k] = differential_s(d, k, order, 1, 0);
  return h;
}

std::vector<SParams2> differential_two_port(const TouchstoneData& d, PortOrder order) {
  std::vector<SParams2> s(d.frequency_hz.size());
  for (std::size_t k = 0; k < s.size(); ++k)
    s[k] = {differential_s(d, k, order, 0, 0), differential_s(d, k, order, 0, 1),
            differential_s(d, k, order, 1, 0), differential_s(d, k, order, 1, 1)};
  return s;
}

}  // namespace ll
