#include "host/touchstone.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "physics/config.hpp"

namespace ll {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

[[noreturn]] void fail(const std::string& name, int line, const std::string& what) {
  throw TouchstoneError(name + ":" + std::to_string(line) + ": " + what);
}

enum class Format { ri, ma, db };
enum class MatrixFormat { full, lower, upper };

// Largest singular value of an n x n complex matrix: the square root of the largest eigenvalue
// of the Hermitian S^H S, by power iteration from a fixed start (converges for every S met in
// practice; 200 iterations bound the cost, 1e-12 the relative change).
double largest_singular_value(const std::complex<double>* s, int n) {
  std::vector<std::complex<double>> g(static_cast<std::size_t>(n) * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      std::complex<double> acc = 0.0;
      for (int k = 0; k < n; ++k) acc += std::conj(s[k * n + i]) * s[k * n + j];
      g[i * n + j] = acc;
    }
  std::vector<std::complex<double>> x(n, 1.0), y(n);
  for (int i = 0; i < n; ++i) x[i] = std::complex<double>(1.0 + 0.1 * i, 0.05 * i);
  double lambda = 0.0;
  for (int it = 0; it < 200; ++it) {
    double norm = 0.0;
    for (int i = 0; i < n; ++i) {
      std::complex<double> acc = 0.0;
      for (int j = 0; j < n; ++j) acc += g[i * n + j] * x[j];
      y[i] = acc;
      norm += std::norm(acc);
    }
    norm = std::sqrt(norm);
    if (norm == 0.0) return 0.0;
    double xnorm = 0.0;
    for (int i = 0; i < n; ++i) xnorm += std::norm(x[i]);
    const double next = norm / std::sqrt(xnorm);
    for (int i = 0; i < n; ++i) x[i] = y[i] / norm;
    if (std::abs(next - lambda) <= 1e-12 * next) {
      lambda = next;
      break;
    }
    lambda = next;
  }
  return std::sqrt(lambda);
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

TouchstoneData parse_touchstone(std::istream& in, const std::string& name, int ports_from_name) {
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

  std::vector<double> record;  // values of the frequency being read
  int record_line = 0;
  std::size_t per_record = 0;
  auto values_per_record = [&] {
    const std::size_t n = static_cast<std::size_t>(ports);
    const std::size_t entries = matrix == MatrixFormat::full ? n * n : n * (n + 1) / 2;
    return 1 + 2 * entries;
  };

  auto finish_record = [&] {
    const double f = record[0] * unit_hz;
    if (!d.frequency_hz.empty() && !(f > d.frequency_hz.back()))
      fail(name, record_line,
           "frequency " + std::to_string(record[0]) + " does not increase on the previous " +
               std::to_string(d.frequency_hz.back() / unit_hz) +
               "; expected strictly increasing frequencies");
    d.frequency_hz.push_back(f);
    const int n = ports;
    const std::size_t base = d.s.size();
    d.s.resize(base + static_cast<std::size_t>(n) * n);
    auto value = [&](std::size_t idx) {
      const double a = record[1 + 2 * idx], b = record[2 + 2 * idx];
      switch (format) {
        case Format::ri:
          return std::complex<double>(a, b);
        case Format::ma:
          return std::polar(a, b * kPi / 180.0);
        case Format::db:
          return std::polar(std::pow(10.0, a / 20.0), b * kPi / 180.0);
      }
      return std::complex<double>();
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

  std::string raw;
  int line_no = 0;
  bool ended = false;
  while (!ended && std::getline(in, raw)) {
    ++line_no;
    std::string line = raw;
    const auto bang = line.find('!');
    if (bang != std::string::npos) line.resize(bang);
    line = trim(line);
    if (line.empty()) continue;

    if (line[0] == '[') {
      const auto close = line.find(']');
      if (close == std::string::npos)
        fail(name, line_no, "keyword without its closing ']': \"" + line + "\"");
      const std::string key = lower(line.substr(1, close - 1));
      const std::string arg = trim(line.substr(close + 1));
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
      std::istringstream is(line.substr(1));
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
      fail(name, line_no, "numbers outside [Network Data]: \"" + line + "\"");
    if (ports <= 0)
      fail(name, line_no,
           "the port count is unknown: name the file .sNp (version 1) or give [Number of Ports]");
    if (!option_seen && version2)
      fail(name, line_no, "a version 2 file needs its option line before [Network Data]");
    if (per_record == 0) per_record = values_per_record();
    std::istringstream is(line);
    std::string tok;
    int token_in_line = 0;
    while (is >> tok) {
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(tok.c_str(), &end);
      if (*end != '\0' || errno == ERANGE || !std::isfinite(v))
        fail(name, line_no, "\"" + tok + "\" is not a number");
      if (record.empty()) {
        // Every record begins a line: a record starting mid-line means the one before was one
        // number short or long.
        if (token_in_line > 0)
          fail(name, line_no,
               "a record ends mid-line: a " + std::to_string(ports) + "-port record holds " +
                   std::to_string(per_record) +
                   " numbers; a value is missing from, or extra in, the record ending here");
        record_line = line_no;
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
    const double sv = largest_singular_value(m, ports);
    if (sv > d.max_singular_value) {
      d.max_singular_value = sv;
      worst_f = d.frequency_hz[k];
    }
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

TouchstoneData read_touchstone(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TouchstoneError(path + ":0: cannot open the Touchstone file");
  return parse_touchstone(in, path, touchstone_ports_from_name(path));
}

std::vector<std::complex<double>> through_response(const TouchstoneData& d, PortOrder order) {
  std::vector<std::complex<double>> h(d.frequency_hz.size());
  for (std::size_t k = 0; k < h.size(); ++k) {
    if (d.ports == 2) {
      h[k] = d.at(k, 1, 0);
      continue;
    }
    // 0-based (p+, p-) in, (q+, q-) out.
    const int pp = 0, pm = order == PortOrder::in12_out34 ? 1 : 2;
    const int qp = order == PortOrder::in12_out34 ? 2 : 1, qm = 3;
    h[k] = 0.5 * (d.at(k, qp, pp) - d.at(k, qp, pm) - d.at(k, qm, pp) + d.at(k, qm, pm));
  }
  return h;
}

void write_touchstone(const std::string& path, int ports, const std::vector<double>& frequency_hz,
                      const std::vector<std::complex<double>>& s, double reference_ohm,
                      const std::string& format) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  const std::string f = lower(format);
  out << "! written by lightlane\n# Hz S " << format << " R " << reference_ohm << "\n";
  char buf[64];
  auto put = [&](std::complex<double> v) {
    if (f == "ri")
      std::snprintf(buf, sizeof buf, " %.12e %.12e", v.real(), v.imag());
    else if (f == "ma")
      std::snprintf(buf, sizeof buf, " %.12e %.12e", std::abs(v), std::arg(v) * 180.0 / kPi);
    else
      std::snprintf(buf, sizeof buf, " %.12e %.12e",
                    20.0 * std::log10(std::max(std::abs(v), 1e-30)),  // an exact 0: -600 dB
                    std::arg(v) * 180.0 / kPi);
    out << buf;
  };
  const std::size_t n = static_cast<std::size_t>(ports);
  for (std::size_t k = 0; k < frequency_hz.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%.12e", frequency_hz[k]);
    out << buf;
    const std::complex<double>* m = s.data() + k * n * n;
    if (n == 2) {
      put(m[0]);
      put(m[2]);
      put(m[1]);
      put(m[3]);
      out << "\n";
      continue;
    }
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t c = 0; c < n; ++c) put(m[r * n + c]);
      out << "\n";
    }
  }
}

}  // namespace ll
